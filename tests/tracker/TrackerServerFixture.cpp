#include "TrackerServerFixture.h"

#include "metainfo/PercentEncoding.h"

namespace swarmscope::trackertest {

Params announceParams(const QByteArray& infoHash, int peer, qint64 left, const QByteArray& event) {
    Params p{
        {"info_hash", infoHash}, {"peer_id", peerIdFor(peer)}, {"port", QByteArray::number(20000 + peer)},
        {"uploaded", "0"},       {"downloaded", "0"},          {"left", QByteArray::number(left)},
        {"compact", "1"}};
    if (!event.isEmpty())
        p.append(qMakePair(QByteArray("event"), event));
    return p;
}

QByteArray query(const Params& params) {
    QByteArray out;
    for (const auto& [key, value] : params)
        out += (out.isEmpty() ? "" : "&") + key + '=' + percentEncode(value);
    return out;
}

Params with(Params p, const QByteArray& key, const QByteArray& value) {
    for (auto& item : p)
        if (item.first == key) {
            item.second = value;
            return p;
        }
    p.append(qMakePair(key, value));
    return p;
}

Params without(Params p, const QByteArray& key) {
    p.removeIf([&key](const QPair<QByteArray, QByteArray>& item) { return item.first == key; });
    return p;
}

QByteArray failureReason(const QByteArray& body) {
    const AnnounceResponseParseResult parsed = parseAnnounceResponse(body);
    return parsed.ok() ? parsed.response->failureReason.toUtf8() : "(unparsable: " + body + ")";
}

std::unique_ptr<TrackerServer> TrackerServerFixture::startServer(TrackerServerConfig config) {
    if (!config.clock)
        config.clock = [this] { return m_now; };
    config.randomSeed = 7;
    auto server = std::make_unique<TrackerServer>(config);
    if (!server->listen(QHostAddress::LocalHost, 0))
        qFatal("listen failed");
    m_server = server.get();
    return server;
}

HttpClientResponse TrackerServerFixture::announce(const Params& params) {
    return httpGet(m_server->announceUrl() + QLatin1Char('?') + QString::fromLatin1(query(params)));
}

AnnounceResponse TrackerServerFixture::announceOk(const Params& params) {
    const HttpClientResponse http = announce(params);
    const AnnounceResponseParseResult parsed = parseAnnounceResponse(http.body);
    if (!http.ok || http.status != 200 || !parsed.ok() || parsed.response->failed()) {
        qWarning() << "announce failed:" << http.error << http.status << http.body;
        return {};
    }
    return *parsed.response;
}

} // namespace swarmscope::trackertest
