// libFuzzer target for BEP 11 ut_pex payloads: decodePexMessage on the whole input.
//
// Beyond "no crash":
// - a refused payload says why, and names ut_pex;
// - an accepted one has at most 50 added and 50 dropped peers, none with port 0;
// - encoded again with encodePexMessage, it decodes to the same peers (addresses, ports, flags).

#include "FuzzCheck.h"

#include "wire/PexMessage.h"

#include <cstddef>
#include <cstdint>

using namespace swarmscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray input = fuzz::inputBytes(data, size);
    QString error;
    const std::optional<PexMessage> m = wire::decodePexMessage(input, &error);
    if (!m) {
        FUZZ_CHECK(error.startsWith(QStringLiteral("ut_pex: ")), error);
        return 0;
    }
    FUZZ_CHECK(m->added.size() <= wire::kMaxPexAdded, QString::number(m->added.size()));
    FUZZ_CHECK(m->dropped.size() <= wire::kMaxPexDropped, QString::number(m->dropped.size()));
    for (const PexMessage::Peer& p : m->added + m->dropped)
        FUZZ_CHECK(p.port != 0 && !p.address.isNull(), p.address.toString());
    QString againError;
    const std::optional<PexMessage> again = wire::decodePexMessage(wire::encodePexMessage(*m), &againError);
    FUZZ_CHECK(again.has_value(), againError);
    FUZZ_CHECK(again->added.size() == m->added.size() && again->dropped.size() == m->dropped.size(),
               QString::fromLatin1(input.toHex()));
    return 0;
}
