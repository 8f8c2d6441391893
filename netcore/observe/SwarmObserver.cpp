#include "observe/SwarmObserver.h"

#include "peer/Client.h"
#include "peer/MetadataFetcher.h"
#include "peer/TorrentSession.h"
#include "storage/NoDataStore.h"

namespace swarmscope {

SwarmObserver::SwarmObserver(Client* client, Params params, QObject* parent)
    : QObject(parent), m_client(client), m_params(std::move(params)) {
    m_sampler.setInterval(m_params.sampleMs);
    connect(&m_sampler, &QTimer::timeout, this, &SwarmObserver::sample);
}

SwarmObserver::~SwarmObserver() = default;

void SwarmObserver::start() {
    m_startedAtMs = m_client->nowMs();
    if (!m_params.metainfo.infoHash.isEmpty()) {
        join();
        return;
    }
    MetadataFetcher::Params fetch;
    fetch.infoHash = m_params.infoHash;
    fetch.trackers = m_params.trackers;
    fetch.peers = m_params.peers;
    if (fetch.trackers.isEmpty() && fetch.peers.isEmpty()) {
        emit failed(QStringLiteral("the magnet link names no tracker (tr) or peer (x.pe) to ask"));
        return;
    }
    m_fetcher = new MetadataFetcher(m_client, fetch, this);
    connect(m_fetcher, &MetadataFetcher::peerNote, this, &SwarmObserver::note);
    connect(m_fetcher, &MetadataFetcher::fetched, this, [this] {
        MetainfoParseResult parsed = parseMetainfo("d4:info" + m_fetcher->infoBytes() + "e");
        if (!parsed.ok()) {
            emit failed(
                QStringLiteral("the metadata is not a valid info dictionary: %1").arg(parsed.message));
            m_fetcher->stop();
            return;
        }
        emit note(
            QStringLiteral("metadata: %1 bytes, matches the info-hash").arg(m_fetcher->infoBytes().size()));
        m_params.metainfo = *parsed.metainfo;
        m_params.peers += m_fetcher->knownPeers();
        m_fetcher->stop(); // join() runs once it has let its peers go
    });
    connect(m_fetcher, &MetadataFetcher::stopped, this, [this] {
        m_fetcher->deleteLater();
        m_fetcher = nullptr;
        if (m_stopping || m_params.metainfo.infoHash.isEmpty())
            emit stopped();
        else
            join();
    });
    emit note(
        QStringLiteral("fetching the metadata of %1").arg(QString::fromLatin1(m_params.infoHash.toHex())));
    m_fetcher->start();
}

void SwarmObserver::join() {
    AddTorrentParams params;
    params.metainfo = m_params.metainfo;
    params.role = TorrentRole::Leecher;
    params.observeOnly = true;
    params.store = std::make_shared<NoDataStore>(m_params.metainfo);
    params.trackers = m_params.trackers;
    if (!params.trackers.isEmpty())
        params.trackers += m_params.metainfo.trackers();
    params.peers = m_params.peers;
    QString error;
    m_session = m_client->addTorrent(params, &error);
    if (!m_session) {
        emit failed(error);
        return;
    }
    connect(m_session, &TorrentSession::stateChanged, this, [this](TorrentState state) {
        if (state == TorrentState::Error)
            emit failed(m_session->errorString());
    });
    connect(m_session, &TorrentSession::stopped, this, &SwarmObserver::stopped);
    emit joined(m_params.metainfo);
    m_sampler.start();
}

void SwarmObserver::sample() {
    if (!m_session)
        return;
    const qint64 now = m_client->nowMs() - m_startedAtMs;
    m_watch.update(m_session->snapshot(true), now);
    emit observed(m_watch.observation());
}

void SwarmObserver::stop() {
    if (m_stopping)
        return;
    m_stopping = true;
    m_sampler.stop();
    if (m_fetcher)
        m_fetcher->stop();
    else if (m_session)
        m_session->stop();
    else
        emit stopped();
}

} // namespace swarmscope
