#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <map>
#include <optional>

namespace swarmscope {

// One torrent's counters as BEP 48 reports them.
struct ScrapeCounts {
    qint64 complete = 0;   // seeders now
    qint64 incomplete = 0; // leechers now
    qint64 downloaded = 0; // completed events ever seen

    bool operator==(const ScrapeCounts&) const = default;
};

struct ScrapeResponse {
    QString failureReason;
    std::map<QByteArray, ScrapeCounts> files; // keyed by 20-byte info-hash
};

struct ScrapeResponseParseResult {
    std::optional<ScrapeResponse> response;
    QString error;

    bool ok() const { return response.has_value(); }
};

QByteArray encodeScrapeResponse(const ScrapeResponse& response);
ScrapeResponseParseResult parseScrapeResponse(const QByteArray& body);

} // namespace swarmscope
