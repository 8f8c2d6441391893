#pragma once

#include "metainfo/PercentEncoding.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace swarmscope {

enum class AnnounceEvent { None, Started, Completed, Stopped };

// "started", "completed", "stopped", or empty for a regular announce.
QByteArray announceEventName(AnnounceEvent event);

// The parameters of one BEP 3 announce. The tracker parses them from a query; a client serialises them.
struct AnnounceRequest {
    QByteArray infoHash; // 20 raw bytes
    QByteArray peerId;   // 20 raw bytes
    quint16 port = 0;
    qint64 uploaded = 0;
    qint64 downloaded = 0;
    qint64 left = 0;
    AnnounceEvent event = AnnounceEvent::None;
    std::optional<int> numwant; // absent: the tracker's default
    bool compact = false;
    bool noPeerId = false;
    QByteArray ip;        // the optional ip parameter as sent; empty when absent
    QByteArray key;       // an opaque client key; empty when absent
    QByteArray trackerId; // echoes a previous response's "tracker id"; empty when absent

    // The percent-encoded query ("info_hash=%12...&peer_id=...&port=6881&..."), without a leading '?'.
    QByteArray toQuery() const;
};

struct AnnounceRequestParseResult {
    std::optional<AnnounceRequest> request;
    QString error; // a failure reason for the client, e.g. "info_hash must be 20 bytes"

    bool ok() const { return request.has_value(); }
};

// Validates an announce's decoded query items. info_hash, peer_id, port, uploaded, downloaded and left are
// required, and none of the known keys may repeat (a repeated info_hash would be ambiguous).
AnnounceRequestParseResult parseAnnounceRequest(const QList<QueryItem>& query);

} // namespace swarmscope
