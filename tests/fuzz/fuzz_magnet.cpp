// libFuzzer target for parseMagnetLink. The input is read as UTF-8, as the command line and a pasted link
// are.
//
// Beyond "no crash": an accepted link has a 20-byte info-hash and no duplicate trackers; a rejected one says
// why; and an accepted link written back out as a canonical magnet URI parses to the same link.

#include "FuzzCheck.h"

#include "metainfo/MagnetLink.h"

#include <QSet>
#include <QUrl>

#include <cstddef>
#include <cstdint>

using namespace swarmscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QString uri = QString::fromUtf8(reinterpret_cast<const char*>(data), qsizetype(size));
    QString error;
    const std::optional<MagnetLink> link = parseMagnetLink(uri, &error);
    if (!link) {
        FUZZ_CHECK(!error.isEmpty(), uri);
        // Without somewhere to put the reason, the parser must still only fail.
        FUZZ_CHECK(!parseMagnetLink(uri, nullptr), uri);
        return 0;
    }
    FUZZ_CHECK(link->infoHash.size() == 20, uri);
    FUZZ_CHECK(link->infoHashHex().size() == 40, uri);
    FUZZ_CHECK(QSet<QString>(link->trackers.begin(), link->trackers.end()).size() == link->trackers.size(),
               uri);
    for (const QString& tracker : link->trackers)
        FUZZ_CHECK(!tracker.isEmpty() && tracker == tracker.trimmed(), tracker);

    QByteArray canonical = "magnet:?xt=urn:btih:" + link->infoHash.toHex();
    if (!link->displayName.isEmpty())
        canonical += "&dn=" + QUrl::toPercentEncoding(link->displayName);
    for (const QString& tracker : link->trackers)
        canonical += "&tr=" + QUrl::toPercentEncoding(tracker);
    QString againError;
    const std::optional<MagnetLink> again = parseMagnetLink(QString::fromLatin1(canonical), &againError);
    FUZZ_CHECK(again.has_value(), againError + QStringLiteral(" for ") + QString::fromLatin1(canonical));
    FUZZ_CHECK(again->infoHash == link->infoHash && again->displayName == link->displayName &&
                   again->trackers == link->trackers,
               QString::fromLatin1(canonical));
    return 0;
}
