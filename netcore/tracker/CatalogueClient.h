#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace swarmscope {

class Network;
class TcpNode;

// One row of a tracker's GET /torrents answer.
struct CatalogueTorrentInfo {
    QString name;
    QByteArray infoHash; // 20 raw bytes
    qint64 size = 0;
    qint64 seeders = 0;
    qint64 leechers = 0;
    int pieces = 0;
    qint64 pieceLength = 0;
};

struct CataloguePublishReply {
    bool ok = false;
    QString error;
    QByteArray infoHash;
    QString name;
    bool alreadyPresent = false; // the tracker had it already (HTTP 200 instead of 201)
};

struct CatalogueListReply {
    bool ok = false;
    QString error;
    QList<CatalogueTorrentInfo> torrents; // oldest first
};

struct CatalogueFetchReply {
    bool ok = false;
    QString error;
    QByteArray torrent; // the .torrent bytes, checked against the info-hash asked for
    QByteArray infoHash;
};

// Talks to a tracker's /torrents catalogue: what `swarmscope peer --role seeder --file F` publishes and
// what `--role leecher --file NAME` fetches. Every call is asynchronous and calls back on this object's
// thread exactly once, unless this object is destroyed first.
class CatalogueClient : public QObject {
    Q_OBJECT
public:
    // trackerUrl may be the tracker's base URL or its announce URL; only scheme, host and port are used.
    // network: where the requests go (not owned; null: the host's TCP in real time).
    explicit CatalogueClient(const QString& trackerUrl, Network* network = nullptr,
                             QObject* parent = nullptr);
    ~CatalogueClient() override;

    void setTimeoutMs(int timeoutMs) { m_timeoutMs = timeoutMs; }
    // "http://host:port/torrents", or empty when the URL given is not a usable http URL.
    QString catalogueUrl() const { return m_catalogueUrl; }

    void publish(const QByteArray& torrent, std::function<void(const CataloguePublishReply&)> done);
    // All torrents, or only those published under name.
    void list(const QString& name, std::function<void(const CatalogueListReply&)> done);
    void fetch(const QByteArray& infoHash, std::function<void(const CatalogueFetchReply&)> done);
    // The torrent most recently published under name.
    void fetchByName(const QString& name, std::function<void(const CatalogueFetchReply&)> done);

private:
    std::unique_ptr<TcpNode> m_ownNetwork;
    Network* m_network;
    QString m_catalogueUrl;
    QString m_urlError;
    int m_timeoutMs = 30'000;
};

} // namespace swarmscope
