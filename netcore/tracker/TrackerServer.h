#pragma once

#include "tracker/CatalogueHttpApi.h"
#include "tracker/SwarmTable.h"
#include "tracker/TorrentCatalogue.h"
#include "tracker/TrackerServerConfig.h"
#include "tracker/UdpConnectionIds.h"

#include "clock/Timer.h"

#include <QHostAddress>
#include <QObject>
#include <QSet>

#include <memory>

class QUdpSocket;

namespace swarmscope {

class HttpConnection;
class Listener;
class Network;
class TcpNode;
struct UdpTrackerRequest;

// The lab's HTTP tracker: BEP 3 announce (BEP 23 compact, BEP 7 peers6), BEP 48 scrape, and a catalogue
// of published .torrent files. Routes:
//   GET /announce   GET /scrape   POST /torrents   GET /torrents[?name=]   GET /torrents/<hex>.torrent
// Bad announce and scrape requests get HTTP 400 with a bencoded "failure reason"; catalogue routes answer
// errors in JSON; unknown paths get 404. Everything is bounded: connections, request sizes, torrents and
// peers. Many instances may live in one process; it listens on the configured network, on real TCP or in the
// simulated network, and its time comes from that network's scheduler.
//
// Beside HTTP it may serve BEP 15 over UDP (listenUdp()), on the host's real network only, sharing one swarm
// table: peers announced either way are handed to each other. Connection ids are syn cookies
// (UdpConnectionIds), so hostile datagrams cost no memory; a request with an id not issued to its sender
// in the last two minutes gets an error packet, as does a malformed announce or scrape. Datagrams shorter
// than 16 bytes and ones that are not BEP 15 at all are dropped without a reply.
class TrackerServer : public QObject {
    Q_OBJECT
public:
    explicit TrackerServer(QObject* parent = nullptr);
    explicit TrackerServer(const TrackerServerConfig& config, QObject* parent = nullptr);
    ~TrackerServer() override;

    // Port 0 picks a free port; see serverPort(). Loopback unless told otherwise.
    bool listen(const QHostAddress& address = QHostAddress::LocalHost, quint16 port = 0);
    void close();
    bool isListening() const;
    quint16 serverPort() const;
    QHostAddress serverAddress() const;
    QString errorString() const;
    // "http://127.0.0.1:PORT" (a wildcard listen address is reported as loopback), and with "/announce".
    QString baseUrl() const;
    QString announceUrl() const;

    // BEP 15 on address:port (port 0: a free one). Fails on a simulated network, which has no datagrams.
    bool listenUdp(const QHostAddress& address = QHostAddress::LocalHost, quint16 port = 0);
    void closeUdp();
    bool isListeningUdp() const { return m_udp != nullptr; }
    quint16 udpPort() const;
    // "udp://127.0.0.1:PORT/announce", or empty when not listening on UDP.
    QString udpAnnounceUrl() const;
    // The reply to one datagram from address:port (empty: none), as the UDP socket answers it; for tests.
    QByteArray handleUdpDatagram(const QByteArray& datagram, const QHostAddress& address, quint16 port);
    // Datagrams dropped without a reply, and error packets sent, since the server started.
    qint64 udpDropped() const { return m_udpDropped; }
    qint64 udpErrors() const { return m_udpErrors; }

    void setInterval(int seconds); // also sets the peer timeout to two intervals
    int interval() const { return m_config.intervalSeconds; }
    void setMinInterval(int seconds); // 0: half the interval
    int minInterval() const;
    const TrackerServerConfig& config() const { return m_config; }

    // In-process access for the lab, without HTTP.
    TorrentCatalogue& catalogue() { return m_catalogue; }
    const SwarmTable& swarms() const { return m_swarms; }
    int connectionCount() const { return int(m_connections.size()); }
    // Drops every peer that missed two intervals now (a timer also does this); returns how many went.
    int expirePeers();

signals:
    // A peer the tracker did not know registered (its "started" announce, or its first after a restart).
    void peerStarted(const QByteArray& infoHash, const QByteArray& peerId, const QHostAddress& address,
                     quint16 port);
    // Any accepted announce other than "stopped", including the ones above.
    void peerAnnounced(const QByteArray& infoHash, const QByteArray& peerId, const QHostAddress& address,
                       quint16 port);
    void peerCompleted(const QByteArray& infoHash, const QByteArray& peerId, const QHostAddress& address,
                       quint16 port);
    void peerStopped(const QByteArray& infoHash, const QByteArray& peerId, const QHostAddress& address,
                     quint16 port);
    void peerExpired(const QByteArray& infoHash, const QByteArray& peerId, const QHostAddress& address,
                     quint16 port);
    void torrentPublished(const QByteArray& infoHash, const QString& name);

private:
    void acceptConnections();
    HttpResponse route(const HttpRequest& request, const QHostAddress& peer);
    HttpResponse parseFailure(const HttpRequestParseResult& failure) const;
    HttpResponse announce(const HttpRequest& request, const QHostAddress& peer);
    HttpResponse scrape(const HttpRequest& request);
    // Registers one announce from address (either protocol) and answers it; *failure is set, and nothing
    // else means anything, when the tracker refuses it.
    AnnounceResponse registerAnnounce(const AnnounceRequest& announce, const QHostAddress& address,
                                      int numwant, QString* failure);
    void readUdp();
    QByteArray udpAnnounce(const UdpTrackerRequest& request, const QHostAddress& address);
    QByteArray udpScrape(const UdpTrackerRequest& request);
    QByteArray udpError(quint32 transactionId, const QString& message);
    void reportExpired(const QList<ExpiredPeer>& expired);
    void restartSweepTimer();
    qint64 now() const { return m_config.clock(); }

    std::unique_ptr<TcpNode> m_ownNetwork; // when the config gives none
    Network* m_network;
    TrackerServerConfig m_config;
    Listener* m_server = nullptr;
    QUdpSocket* m_udp = nullptr;
    UdpConnectionIds m_connectionIds;
    qint64 m_udpDropped = 0;
    qint64 m_udpErrors = 0;
    QString m_error;
    SwarmTable m_swarms;
    TorrentCatalogue m_catalogue;
    CatalogueHttpApi m_catalogueApi;
    HttpBufferBudget m_budget;
    QSet<HttpConnection*> m_connections;
    Timer m_sweepTimer;
    qint64 m_lastFullSweepMs = 0;
};

} // namespace swarmscope
