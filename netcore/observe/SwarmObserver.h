#pragma once

#include "metainfo/Metainfo.h"
#include "observe/SwarmWatch.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <utility>

namespace swarmscope {

class Client;
class MetadataFetcher;
class TorrentSession;

// Watches a swarm the lab does not run, through a client of its own: from a .torrent's metainfo, or from a
// magnet's info-hash (the metadata is fetched first, BEP 9), it joins the swarm as a peer that downloads
// nothing (AddTorrentParams::observeOnly, a NoDataStore) and folds what its peers say into a
// SwarmObservation (SwarmWatch) every sampleMs. Lives in the client's thread; the client must outlive it.
class SwarmObserver : public QObject {
    Q_OBJECT
public:
    struct Params {
        // The swarm: a torrent's metainfo, or (when its info-hash is empty) a magnet's infoHash.
        Metainfo metainfo;
        QByteArray infoHash;                           // 20 raw bytes, for a magnet
        QStringList trackers;                          // besides the torrent's own
        QList<std::pair<QHostAddress, quint16>> peers; // to dial at once (a magnet's x.pe)
        int sampleMs = 250;
    };

    SwarmObserver(Client* client, Params params, QObject* parent = nullptr);
    ~SwarmObserver() override;

    // Fetches the metadata if needed, then joins the swarm; errors come as failed().
    void start();
    // Leaves the swarm (tells the trackers); stopped() follows.
    void stop();

    const Metainfo& metainfo() const { return m_params.metainfo; }
    SwarmObservation observation() const { return m_watch.observation(); }

signals:
    // A line about fetching the metadata, for the log.
    void note(const QString& line);
    // The swarm's metainfo is known (at once for a .torrent) and the observer has joined.
    void joined(const swarmscope::Metainfo& metainfo);
    // Every sampleMs once joined.
    void observed(const swarmscope::SwarmObservation& observation);
    void failed(const QString& error);
    void stopped();

private:
    void join();
    void sample();

    Client* m_client;
    Params m_params;
    MetadataFetcher* m_fetcher = nullptr;
    QPointer<TorrentSession> m_session;
    SwarmWatch m_watch;
    QTimer m_sampler;
    qint64 m_startedAtMs = 0;
    bool m_stopping = false;
};

} // namespace swarmscope
