#pragma once

#include "clock/Timer.h"
#include "peer/MetadataAssembler.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QStringList>

#include <memory>
#include <utility>
#include <vector>

namespace swarmscope {

class Client;
class ByteStream;
class TrackerClient;
struct TrackerPeer;

// Fetches a torrent's info dictionary for a magnet link (BEP 9 over BEP 10) from the peers the link names
// and those its trackers return, on the client's network and scheduler. A few peers at a time are dialled;
// each that names a metadata_size within bounds and a ut_metadata id is asked for the pieces nobody else is
// fetching. A peer that rejects, times out, sends a malformed message or a piece of the wrong length is
// dropped and its pieces go to another; a whole that does not hash to the info-hash is fetched again from
// other peers. Once it is whole and checked, fetched() is emitted; the caller then adds the torrent to the
// client as a normal download, with knownPeers().
class MetadataFetcher : public QObject {
    Q_OBJECT
public:
    struct Params {
        QByteArray infoHash; // 20 raw bytes
        QStringList trackers;
        QList<std::pair<QHostAddress, quint16>> peers;
    };

    MetadataFetcher(Client* client, const Params& params, QObject* parent = nullptr);
    ~MetadataFetcher() override;

    void start();
    // Another peer to ask (besides the link's and the trackers').
    void addPeer(const QHostAddress& address, quint16 port);
    // Closes every connection and tells the trackers "stopped"; stopped() follows.
    void stop();
    const QByteArray& infoBytes() const { return m_assembler.infoBytes(); }
    QList<std::pair<QHostAddress, quint16>> knownPeers() const;

signals:
    void fetched();
    // One line about one peer, for the log: what it negotiated, or why it was dropped.
    void peerNote(const QString& line);
    void stopped();

private:
    struct Peer;
    void addCandidate(const QHostAddress& address, quint16 port);
    void onTrackerPeers(const QList<TrackerPeer>& peers);
    void tick();
    void dial(Peer& peer);
    void onReadyRead(Peer* peer);
    void processMessages(Peer& peer, QByteArrayView data);
    void onExtensionHandshake(Peer& peer, const QByteArray& payload);
    void onMetadataMessage(Peer& peer, const QByteArray& payload);
    void requestPieces();
    void drop(Peer& peer, const QString& reason);

    Client* m_client;
    Params m_params;
    MetadataAssembler m_assembler;
    std::vector<std::unique_ptr<Peer>> m_peers;
    TrackerClient* m_tracker = nullptr;
    Timer m_tickTimer;
    bool m_stopping = false;
};

} // namespace swarmscope
