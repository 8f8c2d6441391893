#include "tracker/AnnounceRequest.h"

namespace swarmscope {

namespace {

// A non-negative decimal that fits in 64 unsigned bits; anything else is rejected. Counts beyond 2^60 (an
// exbibyte) are taken as 2^60, which leaves room to add them up: Transmission announces a magnet whose
// metadata it does not have yet with left=9223372036854775807 (INT64_MAX), and others send 2^64 - 1.
std::optional<qint64> parseCount(const QByteArray& text) {
    constexpr quint64 kMaxCount = quint64(1) << 60;
    if (text.isEmpty() || text.size() > 20)
        return std::nullopt;
    for (const char c : text)
        if (c < '0' || c > '9')
            return std::nullopt;
    bool ok = false;
    const quint64 value = text.toULongLong(&ok);
    if (!ok)
        return std::nullopt;
    return qint64(qMin(value, kMaxCount));
}

QString reason(const char* key, const char* what) {
    return QString::fromLatin1(key) + QLatin1Char(' ') + QString::fromLatin1(what);
}

} // namespace

QByteArray announceEventName(AnnounceEvent event) {
    switch (event) {
    case AnnounceEvent::Started:
        return "started";
    case AnnounceEvent::Completed:
        return "completed";
    case AnnounceEvent::Stopped:
        return "stopped";
    case AnnounceEvent::None:
        break;
    }
    return {};
}

QByteArray AnnounceRequest::toQuery() const {
    QByteArray q;
    q.reserve(256);
    q += "info_hash=" + percentEncode(infoHash);
    q += "&peer_id=" + percentEncode(peerId);
    q += "&port=" + QByteArray::number(port);
    q += "&uploaded=" + QByteArray::number(uploaded);
    q += "&downloaded=" + QByteArray::number(downloaded);
    q += "&left=" + QByteArray::number(left);
    q += compact ? "&compact=1" : "&compact=0";
    if (noPeerId)
        q += "&no_peer_id=1";
    if (event != AnnounceEvent::None)
        q += "&event=" + announceEventName(event);
    if (numwant)
        q += "&numwant=" + QByteArray::number(*numwant);
    if (!key.isEmpty())
        q += "&key=" + percentEncode(key);
    if (!trackerId.isEmpty())
        q += "&trackerid=" + percentEncode(trackerId);
    if (!ip.isEmpty())
        q += "&ip=" + percentEncode(ip);
    return q;
}

AnnounceRequestParseResult parseAnnounceRequest(const QList<QueryItem>& query) {
    AnnounceRequestParseResult result;
    auto fail = [&result](const QString& why) {
        result.error = why;
        return result;
    };

    static const char* const singleKeys[] = {"info_hash", "peer_id", "port",     "uploaded", "downloaded",
                                             "left",      "event",   "numwant",  "compact",  "no_peer_id",
                                             "ip",        "key",     "trackerid"};
    for (const char* key : singleKeys) {
        int count = 0;
        for (const QueryItem& item : query)
            if (item.first == key)
                ++count;
        if (count > 1)
            return fail(reason(key, "given more than once"));
    }
    auto value = [&query](const char* key) -> std::optional<QByteArray> {
        for (const QueryItem& item : query)
            if (item.first == key)
                return item.second;
        return std::nullopt;
    };

    AnnounceRequest request;
    const auto infoHash = value("info_hash");
    if (!infoHash)
        return fail(QStringLiteral("missing info_hash"));
    if (infoHash->size() != 20)
        return fail(QStringLiteral("info_hash must be 20 bytes"));
    request.infoHash = *infoHash;

    const auto peerId = value("peer_id");
    if (!peerId)
        return fail(QStringLiteral("missing peer_id"));
    if (peerId->size() != 20)
        return fail(QStringLiteral("peer_id must be 20 bytes"));
    request.peerId = *peerId;

    const auto portText = value("port");
    if (!portText)
        return fail(QStringLiteral("missing port"));
    const auto port = parseCount(*portText);
    if (!port || *port < 1 || *port > 65535)
        return fail(QStringLiteral("invalid port"));
    request.port = quint16(*port);

    struct Counter {
        const char* key;
        qint64* target;
    };
    for (const Counter& counter :
         {Counter{"uploaded", &request.uploaded}, Counter{"downloaded", &request.downloaded},
          Counter{"left", &request.left}}) {
        const auto text = value(counter.key);
        if (!text)
            return fail(reason("missing", counter.key));
        const auto number = parseCount(*text);
        if (!number)
            return fail(reason("invalid", counter.key));
        *counter.target = *number;
    }

    // BEP 21's "paused" is a regular update as far as peer lists go.
    const QByteArray event = value("event").value_or(QByteArray());
    if (event == "started")
        request.event = AnnounceEvent::Started;
    else if (event == "completed")
        request.event = AnnounceEvent::Completed;
    else if (event == "stopped")
        request.event = AnnounceEvent::Stopped;
    else if (!event.isEmpty() && event != "paused")
        return fail(QStringLiteral("invalid event"));

    if (const auto numwant = value("numwant")) {
        const auto number = parseCount(*numwant);
        if (!number || *number > 1'000'000'000)
            return fail(QStringLiteral("invalid numwant"));
        request.numwant = int(*number);
    }

    const QByteArray compact = value("compact").value_or(QByteArray("0"));
    if (compact != "0" && compact != "1")
        return fail(QStringLiteral("invalid compact"));
    request.compact = compact == "1";

    const QByteArray noPeerId = value("no_peer_id").value_or(QByteArray("0"));
    if (noPeerId != "0" && noPeerId != "1")
        return fail(QStringLiteral("invalid no_peer_id"));
    request.noPeerId = noPeerId == "1";

    request.ip = value("ip").value_or(QByteArray());
    request.key = value("key").value_or(QByteArray());
    request.trackerId = value("trackerid").value_or(QByteArray());
    result.request = request;
    return result;
}

} // namespace swarmscope
