#include "tracker/UdpTrackerClient.h"

#include "tracker/UdpTrackerPacket.h"
#include "transport/Network.h"
#include "transport/TcpNetwork.h"

#include <QHostInfo>
#include <QNetworkDatagram>
#include <QUdpSocket>

#include <algorithm>

namespace swarmscope {

namespace {

std::optional<UdpTrackerUrl> urlFail(QString* error, const char* why) {
    if (error)
        *error = QString::fromLatin1(why);
    return std::nullopt;
}

QHostAddress normalised(const QHostAddress& address) {
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

} // namespace

bool isUdpTrackerUrl(const QString& url) {
    return url.startsWith(QStringLiteral("udp://"), Qt::CaseInsensitive);
}

std::optional<UdpTrackerUrl> parseUdpTrackerUrl(const QString& url, QString* error) {
    for (const QChar c : url)
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7F)
            return urlFail(error, "URL contains spaces, control or non-ASCII characters");
    if (!isUdpTrackerUrl(url))
        return urlFail(error, "not a udp:// URL");
    QString rest = url.mid(6);
    const qsizetype end =
        std::min({rest.indexOf(QLatin1Char('/')) < 0 ? rest.size() : rest.indexOf(QLatin1Char('/')),
                  rest.indexOf(QLatin1Char('?')) < 0 ? rest.size() : rest.indexOf(QLatin1Char('?')),
                  rest.indexOf(QLatin1Char('#')) < 0 ? rest.size() : rest.indexOf(QLatin1Char('#'))});
    const QString authority = rest.left(end);
    if (authority.contains(QLatin1Char('@')))
        return urlFail(error, "user info in URLs is not supported");
    UdpTrackerUrl out;
    QString portText;
    if (authority.startsWith(QLatin1Char('['))) {
        const qsizetype close = authority.indexOf(QLatin1Char(']'));
        if (close < 0)
            return urlFail(error, "unterminated IPv6 address in URL");
        out.host = authority.mid(1, close - 1);
        const QString after = authority.mid(close + 1);
        if (!after.startsWith(QLatin1Char(':')))
            return urlFail(error, "udp:// URL without a port");
        portText = after.mid(1);
    } else {
        const qsizetype colon = authority.lastIndexOf(QLatin1Char(':'));
        if (colon < 0)
            return urlFail(error, "udp:// URL without a port");
        out.host = authority.left(colon);
        portText = authority.mid(colon + 1);
    }
    if (out.host.isEmpty())
        return urlFail(error, "URL has no host");
    bool ok = false;
    const uint port = portText.toUInt(&ok);
    if (!ok || port < 1 || port > 65535 || portText.startsWith(QLatin1Char('+')))
        return urlFail(error, "invalid port in URL");
    out.port = quint16(port);
    return out;
}

UdpTrackerClient::UdpTrackerClient(Network& network, TrackerClock clock, quint32 seed, QObject* parent)
    : QObject(parent), m_network(network), m_clock(std::move(clock)),
      m_random(seed != 0 ? seed : std::random_device{}()),
      m_retransmitTimer(network.scheduler(), [this] { retransmit(); }),
      m_deadlineTimer(network.scheduler(), [this] {
          fail(QStringLiteral("no answer from the UDP tracker within %1 ms").arg(m_timeoutMs));
      }) {
    if (!m_clock)
        m_clock = [scheduler = &network.scheduler()] { return scheduler->nowMs(); };
}

UdpTrackerClient::~UdpTrackerClient() {
    abort();
}

void UdpTrackerClient::announce(const QString& url, const AnnounceRequest& request, quint32 key,
                                int timeoutMs, Callback done) {
    m_announce = request;
    m_key = key;
    begin(url, Kind::Announce, timeoutMs, std::move(done));
}

void UdpTrackerClient::scrape(const QString& url, const QList<QByteArray>& infoHashes, int timeoutMs,
                              Callback done) {
    m_infoHashes = infoHashes.mid(0, udptracker::kMaxScrapeHashes);
    begin(url, Kind::Scrape, timeoutMs, std::move(done));
}

void UdpTrackerClient::abort() {
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(m_lookupId);
    m_lookupId = -1;
    m_retransmitTimer.stop();
    m_deadlineTimer.stop();
    m_phase = Phase::Idle;
    m_done = {};
    ++m_generation;
}

QString UdpTrackerClient::endpointKey() const {
    return m_address.toString() + QLatin1Char('|') + QString::number(m_target.port);
}

void UdpTrackerClient::begin(const QString& url, Kind kind, int timeoutMs, Callback done) {
    abort();
    m_kind = kind;
    m_done = std::move(done);
    m_url = url;
    m_timeoutMs = std::max(1, timeoutMs);
    m_attempt = 0;
    m_phase = Phase::Resolving;
    const quint64 generation = m_generation;

    QString error;
    const std::optional<UdpTrackerUrl> target = parseUdpTrackerUrl(url, &error);
    if (!dynamic_cast<TcpNetwork*>(&m_network))
        error =
            QStringLiteral("udp:// trackers need the host's network; this client runs on a simulated one");
    if (!error.isEmpty()) {
        m_network.scheduler().post(this, [this, generation, error] {
            if (generation == m_generation)
                fail(error);
        });
        return;
    }
    m_target = *target;
    m_deadlineTimer.startMs(m_timeoutMs);
    QHostAddress literal;
    // "localhost" is the loopback address by definition (RFC 6761), whatever the host's resolver says: a
    // bare system may have no hosts file to say it.
    if (m_target.host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        literal = QHostAddress(QHostAddress::LocalHost);
    if (!literal.isNull() || literal.setAddress(m_target.host)) {
        m_network.scheduler().post(this, [this, generation, literal] {
            if (generation == m_generation)
                resolved({literal});
        });
        return;
    }
    m_lookupId = QHostInfo::lookupHost(m_target.host, this, [this, generation](const QHostInfo& info) {
        if (generation != m_generation)
            return;
        m_lookupId = -1;
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty())
            return fail(QStringLiteral("cannot resolve %1: %2").arg(m_target.host, info.errorString()));
        resolved(info.addresses());
    });
}

void UdpTrackerClient::resolved(const QList<QHostAddress>& addresses) {
    // IPv4 first: it is what trackers serve most, and its answers are the compact 6-byte peers.
    auto v4 = std::find_if(addresses.cbegin(), addresses.cend(), [](const QHostAddress& a) {
        return a.protocol() == QAbstractSocket::IPv4Protocol;
    });
    m_address = normalised(v4 != addresses.cend() ? *v4 : addresses.first());
    const bool ipv6 = m_address.protocol() == QAbstractSocket::IPv6Protocol;
    if (m_socket && (m_socket->localAddress().protocol() == QAbstractSocket::IPv6Protocol) != ipv6) {
        delete m_socket;
        m_socket = nullptr;
    }
    if (!m_socket) {
        auto* socket = new QUdpSocket(this);
        if (!socket->bind(ipv6 ? QHostAddress(QHostAddress::AnyIPv6) : QHostAddress(QHostAddress::AnyIPv4),
                          0)) {
            const QString why = socket->errorString();
            delete socket;
            return fail(QStringLiteral("cannot open a UDP socket: %1").arg(why));
        }
        m_socket = socket;
        connect(m_socket, &QUdpSocket::readyRead, this, &UdpTrackerClient::readDatagrams);
    }
    const auto cached = m_connectionIds.constFind(endpointKey());
    if (cached != m_connectionIds.cend() && now() - cached->receivedMs < kConnectionIdLifetimeMs &&
        now() >= cached->receivedMs) {
        m_connectionId = cached->id;
        m_connectionIdMs = cached->receivedMs;
        sendRequest();
        return;
    }
    m_connectionIds.remove(endpointKey());
    sendConnect();
}

void UdpTrackerClient::sendConnect() {
    m_phase = Phase::Connecting;
    m_transactionId = quint32(m_random());
    transmit(encodeUdpConnectRequest(m_transactionId));
}

void UdpTrackerClient::sendRequest() {
    m_phase = Phase::Requesting;
    m_transactionId = quint32(m_random());
    if (m_kind == Kind::Scrape) {
        transmit(encodeUdpScrapeRequest(m_connectionId, m_transactionId, m_infoHashes));
        return;
    }
    UdpAnnounceFields fields;
    fields.infoHash = m_announce.infoHash;
    fields.peerId = m_announce.peerId;
    fields.downloaded = m_announce.downloaded;
    fields.left = m_announce.left;
    fields.uploaded = m_announce.uploaded;
    fields.event = m_announce.event;
    QHostAddress ip;
    if (!m_announce.ip.isEmpty() && ip.setAddress(QString::fromLatin1(m_announce.ip)) &&
        ip.protocol() == QAbstractSocket::IPv4Protocol)
        fields.ipv4 = ip.toIPv4Address();
    fields.key = m_key;
    fields.numWant = m_announce.numwant ? qint32(std::max(0, *m_announce.numwant)) : -1;
    fields.port = m_announce.port;
    transmit(encodeUdpAnnounceRequest(m_connectionId, m_transactionId, fields));
}

void UdpTrackerClient::transmit(const QByteArray& packet) {
    if (!m_socket)
        return;
    m_socket->writeDatagram(packet, m_address, m_target.port);
    ++m_sent;
    // BEP 15: 15 x 2^n seconds, n up to 8; the base shrinks so that retries fit in a short timeout.
    const qint64 base = std::clamp<qint64>(m_timeoutMs / 4, 1, kRetransmitBaseMs);
    m_retransmitTimer.startMs(base << std::min(m_attempt, 8));
    m_lastPacket = packet;
}

void UdpTrackerClient::retransmit() {
    if (m_phase != Phase::Connecting && m_phase != Phase::Requesting)
        return;
    ++m_attempt;
    // An id older than a minute may no longer be accepted: ask for a new one (BEP 15's example).
    if (m_phase == Phase::Requesting && now() - m_connectionIdMs >= kConnectionIdLifetimeMs) {
        m_connectionIds.remove(endpointKey());
        sendConnect();
        return;
    }
    transmit(m_lastPacket);
}

void UdpTrackerClient::readDatagrams() {
    while (m_socket && m_socket->hasPendingDatagrams()) {
        const QNetworkDatagram datagram = m_socket->receiveDatagram(udptracker::kMaxPacketSize + 1);
        if (m_phase != Phase::Connecting && m_phase != Phase::Requesting)
            continue;
        if (normalised(datagram.senderAddress()) != m_address || datagram.senderPort() != m_target.port)
            continue;
        handle(datagram.data());
    }
}

void UdpTrackerClient::handle(const QByteArray& packet) {
    const bool ipv6 = m_address.protocol() == QAbstractSocket::IPv6Protocol;
    const UdpTrackerResponseParseResult parsed = parseUdpTrackerResponse(packet, ipv6);
    if (!parsed.ok() || parsed.response->transactionId != m_transactionId)
        return;
    const UdpTrackerResponse& response = *parsed.response;
    if (response.action == UdpTrackerAction::Error) {
        m_connectionIds.remove(endpointKey());
        return fail(QStringLiteral("tracker error: ") + response.errorMessage);
    }
    if (m_phase == Phase::Connecting) {
        if (response.action != UdpTrackerAction::Connect)
            return;
        m_connectionId = response.connectionId;
        m_connectionIdMs = now();
        m_connectionIds.insert(endpointKey(), {m_connectionId, m_connectionIdMs});
        m_attempt = 0;
        sendRequest();
        return;
    }
    const UdpTrackerAction expected =
        m_kind == Kind::Announce ? UdpTrackerAction::Announce : UdpTrackerAction::Scrape;
    if (response.action != expected)
        return;
    UdpTrackerResult result;
    result.ok = true;
    if (m_kind == Kind::Announce) {
        result.announce = response.announce;
    } else {
        if (response.scrape.size() != m_infoHashes.size())
            return fail(QStringLiteral("scrape response with %1 entries for %2 info-hashes")
                            .arg(response.scrape.size())
                            .arg(m_infoHashes.size()));
        result.scrape = response.scrape;
    }
    finish(std::move(result));
}

void UdpTrackerClient::fail(const QString& error) {
    UdpTrackerResult result;
    result.error = error;
    finish(std::move(result));
}

void UdpTrackerClient::finish(UdpTrackerResult result) {
    Callback done = std::move(m_done);
    abort();
    if (done)
        done(result);
}

} // namespace swarmscope
