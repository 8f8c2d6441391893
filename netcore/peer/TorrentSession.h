#pragma once

#include "peer/AddTorrentParams.h"
#include "peer/ClientSnapshot.h"
#include "peer/PeerDialer.h"
#include "peer/PeerEvent.h"
#include "peer/PieceHasher.h"
#include "peer/PiecePicker.h"
#include "peer/PieceReadCache.h"
#include "peer/RateMeter.h"
#include "peer/UploadSlots.h"
#include "storage/StorageStatus.h"
#include "wire/TorrentGeometry.h"

#include <QBitArray>
#include <QHash>
#include <QList>
#include <QObject>

#include <atomic>
#include <memory>

namespace swarmscope {

class Client;
class PeerConnection;
class PieceVerifier;
class PieceStore;
class SessionDht;
class SessionTracker;
struct PexMessage;
struct PieceCheckResult;
struct TrackerPeer;

// One torrent of one client: its storage, our pieces (the picker), whom we upload to (the choker), its
// tracker, and its connections. Made by Client::addTorrent(), which also starts it.
//
// Start: the data on disk is verified off the network thread (a seeder's unless trusted, a leecher's when it
// has resume data or files already), then the tracker hears "started" and the torrent connects to the peers
// it returns. Every piece is SHA-1 checked before HAVE goes out; a leecher that finishes announces
// "completed" and keeps seeding.
//
// Lives in its client's thread; all calls from there.
class TorrentSession : public QObject {
    Q_OBJECT
public:
    TorrentSession(Client* client, const AddTorrentParams& params);
    ~TorrentSession() override;

    // --- identity and state
    const QByteArray& infoHash() const { return m_metainfo.infoHash; }
    QString name() const { return m_metainfo.name; }
    const Metainfo& metainfo() const { return m_metainfo; }
    const TorrentGeometry& geometry() const { return m_geometry; }
    TorrentRole role() const { return m_params.role; }
    TorrentState state() const { return m_state; }
    QString errorString() const { return m_error; }
    bool isComplete() const { return m_picker.isComplete(); }
    const Bitfield& have() const { return m_picker.have(); }
    // What the check at start found: verified pieces already on disk, and whether resume data was used (its
    // pieces trusted, those of files changed since hashed again) rather than hashing everything. -1 and
    // false while checking.
    int piecesFoundAtStart() const { return m_piecesFoundAtStart; }
    bool startedFromResumeData() const { return m_startedFromResumeData; }
    QString downloadDir() const { return m_params.downloadDir; }

    // --- control (the lab's and the command line's)
    // Pause: choke everyone and stop requesting; connections stay open. Resume undoes it.
    void pause();
    void resume();
    bool isPaused() const { return m_state == TorrentState::Paused; }
    // Announces "stopped" (bounded by the tracker client's stop timeout), closes every connection, waits for
    // pieces being hashed and written, saves resume data, then emits stopped() in state Stopped
    // (errorString() keeps an earlier error). Final: a stopped session is not restarted; add the torrent
    // again.
    void stop();
    void setPickerStrategy(PickerStrategy strategy);
    PickerStrategy pickerStrategy() const { return m_picker.strategy(); }
    void setChokerEnabled(bool enabled);
    bool isChokerEnabled() const { return m_slots.isEnabled(); }
    // A free-rider downloads but uploads nothing: it chokes everyone, whatever its choker says.
    void setFreeRider(bool freeRider);
    bool isFreeRider() const { return m_params.freeRider; }
    // A corrupt peer flips bytes of every block it sends, so its pieces fail the receivers' hash checks.
    void setCorrupt(bool corrupt) { m_params.corrupt = corrupt; }
    bool isCorrupt() const { return m_params.corrupt; }
    // Connects to a peer by hand (besides what the tracker returns).
    void addPeer(const QHostAddress& address, quint16 port);

    TorrentSnapshot snapshot(bool withConnections = true) const;
    qint64 downloadRate() const { return m_arrival.rate(); }
    qint64 uploadRate() const { return m_up.rate(); }
    qint64 downloaded() const { return m_down.total(); }
    qint64 received() const { return m_received; }
    qint64 uploaded() const { return m_up.total(); }
    QList<PeerConnection*> connections() const { return m_connections; }

    // --- for Client: opening and the shared tick
    StorageStatus open();
    void start();
    void tick(qint64 nowMs);

    // --- for PeerConnection
    bool canAcceptIncoming() const;
    void attach(PeerConnection* connection);
    // The peer's handshake is complete: false when the connection must close (ourselves, banned, duplicate).
    bool onHandshake(PeerConnection* connection);
    void onPeerBitfield(PeerConnection* connection);
    // A later BITFIELD replaced what the peer had announced before.
    void onPeerBitfieldReplaced(PeerConnection* connection, const Bitfield& previous);
    void onPeerHave(PeerConnection* connection, int piece);
    void onPeerChoke(PeerConnection* connection, bool choked);
    // The peer refused these requests (BEP 6 REJECT, or a choke that drops them): they go back to the pool.
    void onRequestsRejected(PeerConnection* connection, const QList<BlockRequest>& requests);
    void onPeerInterest(PeerConnection* connection);
    // A block arrived that we had asked this peer for (or withdrew, or its choke dropped).
    void onBlock(PeerConnection* connection, int piece, int offset, const QByteArray& data);
    void onUnrequestedBlock(PeerConnection* connection, qint64 bytes);
    // Block payload that arrived on a connection already closing: received, and wasted.
    void onLateBlock(qint64 bytes);
    // Block payload bytes that reached the connection, counted once, as they arrive.
    void onPayloadArrived(qint64 bytes) { m_arrival.add(bytes); }
    void onMessagesProcessed(PeerConnection* connection);
    void onBlocksSent(qint64 bytes);
    StorageStatus readBlock(int piece, qint64 offset, qint64 length, char* out);
    bool hasPiece(int piece) const { return m_picker.have().testBit(piece); }
    void detach(PeerConnection* connection, const QString& reason);
    void report(PeerEventKind kind, const PeerConnection* connection, const QString& reason, int piece = -1);
    // BEP 11 (TorrentSessionPex.cpp): a peer's accepted ut_pex message; its added peers become candidates.
    void onPexMessage(PeerConnection* connection, const PexMessage& message);
    void onPexSent() { ++m_pexSent; }

signals:
    void stateChanged(swarmscope::TorrentState state);
    void completed();
    void stopped();

private:
    // In endgame a peer asks for a duplicate block only while it has fewer requests than this out.
    static constexpr int kEndgameRequestsOut = 1;

    void setState(TorrentState state);
    void fail(const QString& reason);
    void onChecked(const QBitArray& pieces, bool resumed);
    void startSwarm();
    void onTrackerPeers(const QList<TrackerPeer>& peers);
    void startDht();
    void connectToCandidates(qint64 nowMs);
    void requestMore(PeerConnection* connection);
    void updateInterest(PeerConnection* connection);
    void onPieceChecked(const PieceCheckResult& result);
    void pieceFailed(int piece);
    void onCompleted();
    void runChoker(qint64 nowMs);
    void reportChoke(PeerConnection* connection, bool choked, const QString& reason);
    // An event about the peer with this id, whether still connected or recently departed (0: nobody).
    void reportAbout(PeerEventKind kind, PeerId id, const QString& reason, int piece);
    PeerConnection* connectionById(PeerId id) const;
    void finishStop();
    void saveResume();

    Client* m_client;
    AddTorrentParams m_params;
    Metainfo& m_metainfo;
    TorrentGeometry m_geometry;
    std::shared_ptr<PieceStore> m_storage;
    PiecePicker m_picker;
    UploadSlots m_slots;
    PieceReadCache m_readCache;
    PieceHasher m_hasher;
    PieceVerifier* m_verifier = nullptr;
    SessionTracker* m_tracker = nullptr;
    std::unique_ptr<SessionDht> m_dhtLookups; // when the client runs a DHT and the torrent is not private
    PeerDialer m_dialer;
    QList<PeerConnection*> m_connections;
    int m_peersFromPex = 0;
    int m_pexSent = 0;
    int m_pexReceived = 0;

    TorrentState m_state = TorrentState::Checking;
    TorrentState m_stateBeforePause = TorrentState::Downloading;
    QString m_error;
    std::shared_ptr<std::atomic<bool>> m_cancelCheck;
    bool m_checking = false;
    bool m_stopRequested = false;
    bool m_trackerStopped = false;
    bool m_requestsThrottled = false; // too many bytes waiting to be hashed

    RateMeter m_down;
    RateMeter m_up;
    // Block payload bytes as they arrive, whole blocks or not, used or wasted: what the download rate shows.
    // Counting whole blocks made a rate jump by a block at a time, which at 20 KiB/s beat the caps on the
    // chart; counting only blocks used made it fall short of the upload by the waste.
    RateMeter m_arrival;
    // Every block payload that arrives is either downloaded (accepted for a piece) or wasted (a duplicate,
    // unrequested, late, or arriving while paused): received = downloaded + wasted. Pieces that then fail
    // their hash are counted apart, in failed, and stay in downloaded.
    qint64 m_wasted = 0;
    qint64 m_failed = 0;
    qint64 m_received = 0;
    bool m_resumeAfterError = false; // failed on a full disk: the verified pieces are intact, save them
    int m_piecesFoundAtStart = -1;
    bool m_startedFromResumeData = false;
    int m_hashFailures = 0;
    int m_unrequestedBlocks = 0;
    qint64 m_addedAtMs = 0;
    qint64 m_completedAtMs = -1;
};

} // namespace swarmscope
