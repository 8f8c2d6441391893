#include "tracker/TrackerServer.h"

#include "tracker/AnnounceRequest.h"
#include "tracker/AnnounceResponse.h"
#include "tracker/HttpConnection.h"
#include "tracker/ScrapeResponse.h"
#include "tracker/UdpTrackerPacket.h"

#include "transport/Network.h"
#include "transport/TcpNetwork.h"
#include "transport/TcpNode.h"

#include <QNetworkDatagram>
#include <QUdpSocket>

#include <algorithm>
#include <utility>

namespace swarmscope {

namespace {

TrackerServerConfig withDefaults(TrackerServerConfig config, Network& network) {
    if (!config.clock)
        config.clock = [scheduler = &network.scheduler()] { return scheduler->nowMs(); };
    config.intervalSeconds = std::max(1, config.intervalSeconds);
    config.maxNumwant = std::max(0, config.maxNumwant);
    config.defaultNumwant = std::clamp(config.defaultNumwant, 0, config.maxNumwant);
    return config;
}

QHostAddress normalised(const QHostAddress& address) {
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

QString urlHost(QHostAddress address) {
    if (address == QHostAddress::Any || address == QHostAddress::AnyIPv4 || address.isNull())
        address = QHostAddress::LocalHost;
    else if (address == QHostAddress::AnyIPv6)
        address = QHostAddress::LocalHostIPv6;
    return address.protocol() == QAbstractSocket::IPv6Protocol
               ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
               : address.toString();
}

// Datagrams read in one turn of the event loop before the rest wait for the next, so that a flood on UDP
// does not starve HTTP.
constexpr int kUdpDatagramsPerTurn = 256;
// The largest UDP announce answer stays within one unfragmented Ethernet datagram (1500 - 20 - 8 bytes).
constexpr qsizetype kUdpMaxReplyBytes = 1472;

} // namespace

TrackerServer::TrackerServer(QObject* parent) : TrackerServer(TrackerServerConfig{}, parent) {}

TrackerServer::TrackerServer(const TrackerServerConfig& config, QObject* parent)
    : QObject(parent), m_ownNetwork(config.network ? nullptr : std::make_unique<TcpNode>()),
      m_network(config.network ? config.network : &m_ownNetwork->network()),
      m_config(withDefaults(config, *m_network)), m_swarms(m_config.swarmLimits, m_config.randomSeed),
      m_catalogue(m_config.catalogueLimits), m_catalogueApi(m_catalogue, m_swarms),
      m_sweepTimer(m_network->scheduler(), [this] { expirePeers(); }) {
    m_budget.maxLargeBuffers = m_config.maxLargeUploads;
    m_swarms.setPeerTimeoutMs(2LL * m_config.intervalSeconds * 1000);
    m_catalogueApi.setPublishedCallback(
        [this](const CatalogueEntry& entry) { emit torrentPublished(entry.infoHash, entry.name); });
    restartSweepTimer();
}

TrackerServer::~TrackerServer() {
    // Connections point at this server's budget and handlers, and every stream at the network's link: they
    // go before the members (the network among them) do.
    const QSet<HttpConnection*> connections = std::exchange(m_connections, {});
    for (HttpConnection* connection : connections) {
        disconnect(connection, nullptr, this, nullptr);
        delete connection;
    }
    qDeleteAll(findChildren<QObject*>(Qt::FindDirectChildrenOnly));
    m_server = nullptr;
    m_udp = nullptr;
}

bool TrackerServer::listen(const QHostAddress& address, quint16 port) {
    if (m_server)
        return true;
    m_server = m_network->listen(address, port, m_config.listenBacklog, &m_error, this);
    if (!m_server)
        return false;
    connect(m_server, &Listener::newConnection, this, &TrackerServer::acceptConnections);
    return true;
}

void TrackerServer::close() {
    delete m_server;
    m_server = nullptr;
}

bool TrackerServer::isListening() const {
    return m_server != nullptr;
}

quint16 TrackerServer::serverPort() const {
    return m_server ? m_server->port() : 0;
}

QHostAddress TrackerServer::serverAddress() const {
    return m_server ? m_server->address() : QHostAddress();
}

QString TrackerServer::errorString() const {
    return m_error;
}

QString TrackerServer::baseUrl() const {
    return QStringLiteral("http://") + urlHost(serverAddress()) + QLatin1Char(':') +
           QString::number(serverPort());
}

QString TrackerServer::announceUrl() const {
    return baseUrl() + QStringLiteral("/announce");
}

bool TrackerServer::listenUdp(const QHostAddress& address, quint16 port) {
    if (m_udp)
        return true;
    if (!dynamic_cast<TcpNetwork*>(m_network)) {
        m_error = QStringLiteral("UDP needs the host's network; this tracker runs on a simulated one");
        return false;
    }
    auto* socket = new QUdpSocket(this);
    if (!socket->bind(address, port)) {
        m_error = socket->errorString();
        delete socket;
        return false;
    }
    m_udp = socket;
    connect(m_udp, &QUdpSocket::readyRead, this, &TrackerServer::readUdp);
    return true;
}

void TrackerServer::closeUdp() {
    delete m_udp;
    m_udp = nullptr;
}

quint16 TrackerServer::udpPort() const {
    return m_udp ? m_udp->localPort() : 0;
}

QString TrackerServer::udpAnnounceUrl() const {
    if (!m_udp)
        return {};
    return QStringLiteral("udp://") + urlHost(m_udp->localAddress()) + QLatin1Char(':') +
           QString::number(udpPort()) + QStringLiteral("/announce");
}

void TrackerServer::readUdp() {
    for (int n = 0; m_udp && m_udp->hasPendingDatagrams(); ++n) {
        if (n == kUdpDatagramsPerTurn) {
            m_network->scheduler().post(this, [this] { readUdp(); });
            return;
        }
        // One byte over the limit is enough for the parser to refuse an oversized datagram.
        const QNetworkDatagram datagram = m_udp->receiveDatagram(udptracker::kMaxPacketSize + 1);
        if (!datagram.isValid() || datagram.senderPort() <= 0)
            continue;
        const QByteArray reply =
            handleUdpDatagram(datagram.data(), datagram.senderAddress(), quint16(datagram.senderPort()));
        if (!reply.isEmpty() && m_udp)
            m_udp->writeDatagram(reply, datagram.senderAddress(), quint16(datagram.senderPort()));
    }
}

QByteArray TrackerServer::udpError(quint32 transactionId, const QString& message) {
    ++m_udpErrors;
    return encodeUdpErrorResponse(transactionId, message);
}

QByteArray TrackerServer::handleUdpDatagram(const QByteArray& datagram, const QHostAddress& peer,
                                            quint16 port) {
    const QHostAddress address = normalised(peer);
    const UdpTrackerRequestParseResult parsed = parseUdpTrackerRequest(datagram);
    // Not BEP 15 at all (too short, an unknown action, a connect without the protocol id): no reply, so the
    // tracker never answers junk, nor reflects it at a spoofed source.
    if (!parsed.action || (!parsed.ok() && *parsed.action == UdpTrackerAction::Connect)) {
        ++m_udpDropped;
        return {};
    }
    const quint32 tid = *parsed.transactionId;
    if (*parsed.action == UdpTrackerAction::Connect)
        return encodeUdpConnectResponse(tid, m_connectionIds.issue(address, port, now()));
    if (!m_connectionIds.verify(parsed.connectionId, address, port, now()))
        return udpError(tid, QStringLiteral("connection id expired or not issued to this address"));
    if (!parsed.ok())
        return udpError(tid, parsed.error);
    if (parsed.request->action == UdpTrackerAction::Announce)
        return udpAnnounce(*parsed.request, address);
    return udpScrape(*parsed.request);
}

QByteArray TrackerServer::udpAnnounce(const UdpTrackerRequest& request, const QHostAddress& address) {
    const UdpAnnounceFields& fields = request.announce;
    AnnounceRequest announce;
    announce.infoHash = fields.infoHash;
    announce.peerId = fields.peerId;
    announce.port = fields.port;
    announce.uploaded = fields.uploaded;
    announce.downloaded = fields.downloaded;
    announce.left = fields.left;
    announce.event = fields.event;
    announce.compact = true;
    announce.key = QByteArray::number(fields.key, 16);
    if (fields.numWant >= 0)
        announce.numwant = fields.numWant;

    // The IP address field, under the same rule as HTTP's ip parameter.
    QHostAddress registered = address;
    if (fields.ipv4 != 0 && (m_config.trustIpParameter || address.isLoopback()))
        registered = QHostAddress(fields.ipv4);

    const bool ipv6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    const int fit = int((kUdpMaxReplyBytes - udptracker::kAnnounceResponseHeaderSize) / (ipv6 ? 18 : 6));
    const int numwant =
        std::min({announce.numwant.value_or(m_config.defaultNumwant), m_config.maxNumwant, fit});
    QString failure;
    const AnnounceResponse response = registerAnnounce(announce, registered, numwant, &failure);
    if (!failure.isEmpty())
        return udpError(request.transactionId, failure);
    return encodeUdpAnnounceResponse(request.transactionId, response.interval,
                                     response.incomplete.value_or(0), response.complete.value_or(0),
                                     response.peers, ipv6, numwant);
}

QByteArray TrackerServer::udpScrape(const UdpTrackerRequest& request) {
    QList<ScrapeCounts> counts;
    const qint64 nowMs = now();
    const int max = std::min(m_config.maxScrapeHashes, udptracker::kMaxScrapeHashes);
    for (const QByteArray& infoHash : request.infoHashes) {
        if (counts.size() >= max)
            break;
        reportExpired(m_swarms.expireTorrent(infoHash, nowMs));
        counts.append(m_swarms.counts(infoHash));
    }
    return encodeUdpScrapeResponse(request.transactionId, counts);
}

void TrackerServer::setInterval(int seconds) {
    m_config.intervalSeconds = std::max(1, seconds);
    m_swarms.setPeerTimeoutMs(2LL * m_config.intervalSeconds * 1000);
    restartSweepTimer();
}

void TrackerServer::setMinInterval(int seconds) {
    m_config.minIntervalSeconds = std::max(0, seconds);
}

int TrackerServer::minInterval() const {
    if (m_config.minIntervalSeconds > 0)
        return std::min(m_config.minIntervalSeconds, m_config.intervalSeconds);
    return std::max(1, m_config.intervalSeconds / 2);
}

void TrackerServer::restartSweepTimer() {
    // Sweeping a few times per timeout keeps an expired peer's lifetime within a quarter interval of
    // the promise, while announces also expire their own torrent on the spot.
    const qint64 every = std::clamp<qint64>(m_swarms.peerTimeoutMs() / 4, 1000, 60'000);
    m_sweepTimer.startRepeatingMs(every);
}

int TrackerServer::expirePeers() {
    const QList<ExpiredPeer> expired = m_swarms.expireAll(now());
    m_lastFullSweepMs = now();
    reportExpired(expired);
    return int(expired.size());
}

void TrackerServer::reportExpired(const QList<ExpiredPeer>& expired) {
    for (const ExpiredPeer& gone : expired)
        emit peerExpired(gone.infoHash, gone.peer.peerId, gone.peer.address, gone.peer.port);
}

void TrackerServer::acceptConnections() {
    while (m_server) {
        ByteStream* stream = m_server->nextPendingConnection();
        if (!stream)
            break;
        if (m_connections.size() >= m_config.maxConnections) {
            // Tell the client why instead of leaving it to time out.
            stream->setParent(this);
            HttpConnection::refuse(stream, m_network->scheduler(),
                                   HttpResponse::text(503, QStringLiteral("too many connections")),
                                   m_config.http.lingerMs);
            continue;
        }
        auto* connection = new HttpConnection(
            stream, m_network->scheduler(), m_config.http, &m_budget,
            [this](const HttpRequest& request, const QHostAddress& peer) { return route(request, peer); },
            [this](const HttpRequestParseResult& failure) { return parseFailure(failure); }, this);
        m_connections.insert(connection);
        connect(connection, &HttpConnection::closed, this,
                [this](HttpConnection* closed) { m_connections.remove(closed); });
    }
}

HttpResponse TrackerServer::parseFailure(const HttpRequestParseResult& failure) const {
    if (failure.path == "/announce" || failure.path == "/scrape")
        return HttpResponse::trackerFailure(failure.httpStatus, failure.error);
    if (CatalogueHttpApi::handles(failure.path))
        return HttpResponse::jsonError(failure.httpStatus, failure.error);
    return HttpResponse::text(failure.httpStatus, failure.error);
}

HttpResponse TrackerServer::route(const HttpRequest& request, const QHostAddress& peer) {
    if (request.path == "/announce" || request.path == "/scrape") {
        if (request.method != "GET") {
            HttpResponse response = HttpResponse::trackerFailure(405, QStringLiteral("use GET"));
            response.extraHeaders.append(qMakePair(QByteArray("Allow"), QByteArray("GET")));
            return response;
        }
        return request.path == "/announce" ? announce(request, peer) : scrape(request);
    }
    if (CatalogueHttpApi::handles(request.path))
        return m_catalogueApi.handle(request);
    if (request.path == "/" && request.method == "GET")
        return HttpResponse::text(200, QStringLiteral("Swarmscope tracker: /announce, /scrape, /torrents"));
    return HttpResponse::text(404, QStringLiteral("not found"));
}

HttpResponse TrackerServer::announce(const HttpRequest& request, const QHostAddress& peer) {
    const AnnounceRequestParseResult parsed = parseAnnounceRequest(request.query);
    if (!parsed.ok())
        return HttpResponse::trackerFailure(400, parsed.error);
    const AnnounceRequest& announce = *parsed.request;

    QHostAddress address = normalised(peer);
    if (!announce.ip.isEmpty() && (m_config.trustIpParameter || address.isLoopback())) {
        QHostAddress given;
        // Qt's parser stops at a NUL byte ("127.0.0.1%00junk" would pass), so only printable text is read.
        // 0.0.0.0 and :: name no host; handed to other peers they would reach those peers' own machine.
        const bool printable = std::all_of(announce.ip.cbegin(), announce.ip.cend(),
                                           [](char c) { return c > 0x20 && c < 0x7f; });
        if (!printable || !given.setAddress(QString::fromLatin1(announce.ip)) ||
            given.isEqual(QHostAddress::AnyIPv4,
                          QHostAddress::ConvertUnspecifiedAddress | QHostAddress::ConvertV4MappedToIPv4))
            return HttpResponse::trackerFailure(400, QStringLiteral("invalid ip"));
        address = normalised(given);
    }
    const int numwant = std::min(announce.numwant.value_or(m_config.defaultNumwant), m_config.maxNumwant);
    QString failure;
    const AnnounceResponse response = registerAnnounce(announce, address, numwant, &failure);
    if (!failure.isEmpty())
        return HttpResponse::trackerFailure(503, failure);
    return HttpResponse::bencoded(200, encodeAnnounceResponse(response, announce.compact, announce.noPeerId));
}

AnnounceResponse TrackerServer::registerAnnounce(const AnnounceRequest& announce, const QHostAddress& address,
                                                 int numwant, QString* failure) {
    const SwarmAnnounceOutcome outcome = m_swarms.announce(announce, address, numwant, now());
    reportExpired(outcome.expired);
    if (outcome.update == SwarmUpdate::TooManyTorrents) {
        *failure = QStringLiteral("tracker is tracking too many torrents");
        return {};
    }

    switch (outcome.update) {
    case SwarmUpdate::Added:
        emit peerStarted(announce.infoHash, announce.peerId, address, announce.port);
        [[fallthrough]];
    case SwarmUpdate::Updated:
        emit peerAnnounced(announce.infoHash, announce.peerId, address, announce.port);
        break;
    case SwarmUpdate::Removed:
        emit peerStopped(announce.infoHash, announce.peerId, address, announce.port);
        break;
    default:
        break;
    }
    if (outcome.countedCompletion)
        emit peerCompleted(announce.infoHash, announce.peerId, address, announce.port);

    AnnounceResponse response;
    response.interval = m_config.intervalSeconds;
    response.minInterval = minInterval();
    response.complete = outcome.counts.complete;
    response.incomplete = outcome.counts.incomplete;
    response.downloaded = outcome.counts.downloaded;
    response.peers = outcome.peers;
    if (outcome.update == SwarmUpdate::SwarmFull)
        response.warningMessage = QStringLiteral("swarm is full; this peer was not registered");
    return response;
}

HttpResponse TrackerServer::scrape(const HttpRequest& request) {
    const QList<QByteArray> requested = request.queryValues("info_hash");
    if (requested.size() > m_config.maxScrapeHashes)
        return HttpResponse::trackerFailure(
            400, QStringLiteral("too many info_hash values (at most %1)").arg(m_config.maxScrapeHashes));
    for (const QByteArray& infoHash : requested)
        if (infoHash.size() != 20)
            return HttpResponse::trackerFailure(400, QStringLiteral("info_hash must be 20 bytes"));

    ScrapeResponse response;
    const qint64 nowMs = now();
    if (!requested.isEmpty()) {
        for (const QByteArray& infoHash : requested) {
            reportExpired(m_swarms.expireTorrent(infoHash, nowMs));
            response.files[infoHash] = m_swarms.counts(infoHash);
        }
    } else {
        // A full sweep is O(peers); a burst of unfiltered scrapes shares one per second.
        if (nowMs - m_lastFullSweepMs >= 1000 || nowMs < m_lastFullSweepMs)
            expirePeers();
        for (const QByteArray& infoHash : m_swarms.infoHashes(m_config.maxScrapeAll))
            response.files[infoHash] = m_swarms.counts(infoHash);
        for (const CatalogueEntry& entry : m_catalogue.entries()) {
            if (int(response.files.size()) >= m_config.maxScrapeAll)
                break;
            response.files.try_emplace(entry.infoHash, m_swarms.counts(entry.infoHash));
        }
    }
    return HttpResponse::bencoded(200, encodeScrapeResponse(response));
}

} // namespace swarmscope
