#pragma once

#include "clock/Timer.h"
#include "peer/ClientSnapshot.h"
#include "peer/OutgoingLedger.h"
#include "peer/PiecePicker.h"
#include "peer/RateMeter.h"
#include "peer/RequestQueue.h"
#include "peer/RttEstimator.h"
#include "wire/Bitfield.h"
#include "wire/ExtensionHandshake.h"
#include "wire/MessageFramer.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <deque>

namespace swarmscope {

class ByteStream;
class Client;
class TorrentSession;

// One BEP 3 connection over a ByteStream of the client's network (real TCP or the simulated network, through
// the client's link): the handshake, the four choke/interest flags, the peer's pieces, our requests to it
// and its requests to us. The piece picker, the choker and the storage
// belong to the TorrentSession; the connection tells the session what the peer said and does what the
// session decides.
//
// Incoming connections start without a torrent: the peer's handshake names the info-hash and the client
// hands the connection to that torrent's session (or closes it). Every violation of the protocol or of our
// limits closes the connection with a reason, which the client reports as a Disconnected event.
//
// Sending is paced by the stream: the peer's requests are queued (requests, not blocks) and blocks are
// written only while ByteStream::bytesToWrite() is under a watermark, so memory stays small. A block counts
// as uploaded as its bytes cross the link (the OutgoingLedger tells payload from overhead); one none of whose
// bytes has crossed is taken back on a choke or a cancel, so both take effect at once.
//
// A graceful close is a half-close: our last messages go out, and a block the peer had already sent still
// arrives and is counted (as wasted), until the peer closes too or a few seconds pass.
//
// Lives in its client's thread and is a child of the client.
class PeerConnection : public QObject {
    Q_OBJECT
public:
    enum class Phase { Connecting, Handshaking, Active, Closed };
    enum class CloseMode {
        Graceful, // flush what was written, then close
        Abort,    // drop everything now (protocol violations)
    };

    // An outgoing connection to address:port for session; the connection attempt starts at once.
    PeerConnection(Client* client, TorrentSession* session, const QHostAddress& address, quint16 port);
    // An incoming connection; takes ownership of stream.
    PeerConnection(Client* client, ByteStream* stream);
    ~PeerConnection() override;

    quint64 id() const { return m_id; }
    PeerId pickerId() const { return PeerId(m_id); }
    bool isOutgoing() const { return m_outgoing; }
    Phase phase() const { return m_phase; }
    bool isActive() const { return m_phase == Phase::Active; }
    bool isClosed() const { return m_phase == Phase::Closed; }
    // The handshake completed at some point (the connection may be closed since).
    bool wasEstablished() const { return m_established; }
    QHostAddress address() const { return m_address; }
    quint16 port() const { return m_port; }
    // The port the peer listens on: the one dialled for an outgoing connection, the one its extended
    // handshake gave ("p") for an incoming one; 0 when unknown.
    quint16 listenPort() const {
        if (m_outgoing)
            return m_port;
        return m_peerExtensions && m_peerExtensions->listenPort > 0 && m_peerExtensions->listenPort <= 65535
                   ? quint16(m_peerExtensions->listenPort)
                   : 0;
    }
    const QByteArray& peerId() const { return m_peerId; }
    TorrentSession* session() const { return m_session; }
    QString closeReason() const { return m_closeReason; }

    bool amChoking() const { return m_amChoking; }
    bool amInterested() const { return m_amInterested; }
    bool peerChoking() const { return m_peerChoking; }
    bool peerInterested() const { return m_peerInterested; }
    const Bitfield& peerPieces() const { return m_peerPieces; }
    bool isSeed() const { return !m_peerPieces.isEmpty() && m_peerPieces.all(); }

    qint64 connectedAtMs() const { return m_connectedAtMs; }
    qint64 lastBlockMs() const { return m_lastBlockMs; }
    // How long neither side has been interested (as of the last tick); 0 while either is.
    qint64 uninterestedForMs(qint64 nowMs) const {
        return m_uninterestedSinceMs < 0 ? 0 : nowMs - m_uninterestedSinceMs;
    }
    // Payload bytes received from the peer (every block, used or not) and sent to it (counted as they cross
    // the link).
    qint64 downloaded() const { return m_down.total(); }
    qint64 uploaded() const { return m_up.total(); }
    qint64 downloadRate() const { return m_arrival.rate(); }
    qint64 uploadRate() const { return m_up.rate(); }
    qint64 rttMs() const { return m_rtt.rttMs(); }
    bool isSnubbed() const { return m_snubbed; }

    int requestsOut() const { return m_requests.size(); }
    int requestsIn() const { return int(m_incoming.size()); }
    // Capped by the "reqq" the peer's extended handshake gave.
    int pipelineDepth() const;
    // Both handshakes set the BEP 10 bit; the peer's extended handshake, once it arrived.
    bool hasExtensionProtocol() const { return m_extensionProtocol; }
    // Both handshakes set the BEP 6 bit.
    bool hasFastExtension() const { return m_fastExtension; }
    // The pieces we may request from the peer: all it has, but those it rejected a request for since the last
    // tick (or its last unchoke), so a refusing peer is asked again at the tick's pace, not at once.
    Bitfield requestablePieces() const;
    const std::optional<ExtensionHandshake>& peerExtensions() const { return m_peerExtensions; }
    // How many more requests the pipeline takes now; 0 unless the peer unchokes us and we want its pieces.
    int requestSlots() const;
    const std::deque<BlockRequest>& incomingRequests() const { return m_incoming; }

    // --- what the session decides
    void setChoking(bool choke);
    void setInterested(bool interested);
    void sendHave(int piece);
    void sendRequests(const QList<BlockRequest>& requests);
    // Endgame: another peer delivered the block first (the picker already released it).
    void cancelRequest(const BlockRequest& request);
    // Withdraws every request (sends CANCEL for each) and returns them, for the session to release.
    QList<BlockRequest> cancelAllRequests();
    void close(const QString& reason, CloseMode mode = CloseMode::Graceful);
    // Takes back every block written and not yet started across the link (a pause); returns the payload
    // bytes taken back.
    qint64 withdrawQueuedBlocks(QList<BlockRequest>* withdrawn = nullptr);
    // Timers: handshake timeout, keep-alive, idle timeout, snubbing, rates and pipeline depth.
    void tick(qint64 nowMs);
    // Writes more blocks if the peer is waiting for some and the socket has room.
    void serve();
    // serve(), posted: when the client's upload turn (UploadTurns) has come to this connection.
    void serveSoon();

    ConnectionSnapshot snapshot() const;
    // BEP 11: ut_pex messages sent to and accepted from the peer, and those it sent too soon (ignored).
    int pexSent() const { return m_pexSent; }
    int pexReceived() const { return m_pexReceived; }
    int pexIgnored() const { return m_pexIgnored; }

private:
    // Gives up the client's upload turn when no request is left to serve.
    void releaseTurnIfIdle();
    void init(ByteStream* stream);
    void onReadyRead();
    void onDisconnected();
    void onBytesSent(qint64 bytes);
    void readWhileClosing();
    void countLateBlocks(QByteArrayView data);
    void finishClosing();
    void processHandshake(QByteArray& data);
    void onHandshakeComplete();
    void processMessages(QByteArrayView data);
    void handleMessage(WireMessage& message);
    void handleRequest(const WireMessage& message);
    void handlePiece(WireMessage& message);
    void handleCancel(const WireMessage& message);
    void handleExtended(const WireMessage& message);
    void handleExtensionHandshake(const WireMessage& message);
    void handleMetadataMessage(const WireMessage& message);
    void handlePexMessage(const WireMessage& message);
    // Sends the peer whom we connected to since the last ut_pex message, when one is due
    // (PeerConnectionPex.cpp).
    void sendPexIfDue(qint64 nowMs);
    bool pexEnabled() const;
    void sendExtensionHandshake();
    void peerChokedUs();
    void peerAnnouncedPieces(Bitfield pieces);
    void handleReject(const WireMessage& message);
    void handleAllowedFast(const WireMessage& message);
    void reject(const BlockRequest& request);
    void sendAllowedFastSet();
    void send(const QByteArray& frame);
    void sendBlock(const BlockRequest& request, QByteArray frame);
    void sendHandshake();
    qint64 writeWatermark() const;
    void updatePipelineDepth();
    qint64 nowUs() const;

    Client* m_client;
    TorrentSession* m_session = nullptr;
    QPointer<TorrentSession> m_lingerSession; // counts blocks that arrive while we close
    ByteStream* m_stream = nullptr;
    OutgoingLedger m_ledger;
    Timer m_lingerTimer;
    qint64 m_lingerDeadlineMs = 0;
    bool m_serveQueued = false;
    bool m_deleting = false;
    quint64 m_id;
    bool m_outgoing;
    Phase m_phase = Phase::Connecting;
    QHostAddress m_address;
    quint16 m_port = 0;
    QByteArray m_peerId;
    QString m_closeReason;

    QByteArray m_handshakeBuffer;
    bool m_established = false;
    MessageFramer m_framer;
    qint64 m_messagesReceived = 0;
    bool m_peerSupportsExtensions = false; // its handshake's BEP 10 bit
    bool m_extensionProtocol = false;
    std::optional<ExtensionHandshake> m_peerExtensions;
    bool m_peerSupportsFast = false; // its handshake's BEP 6 bit
    bool m_peerSupportsDht = false;  // its handshake's BEP 5 bit
    bool m_fastExtension = false;
    Bitfield m_allowedFastOut; // pieces the peer may request while we choke it
    Bitfield m_allowedFastIn;  // its allowed-fast set for us: requests for these survive its choke
    Bitfield m_rejectedPieces; // pieces it rejected a request for since the last tick

    bool m_amChoking = true;
    bool m_amInterested = false;
    bool m_peerChoking = true;
    bool m_peerInterested = false;
    Bitfield m_peerPieces;

    RequestQueue m_requests;             // ours to the peer
    std::deque<BlockRequest> m_incoming; // the peer's requests, oldest first
    int m_depth = 5;
    bool m_snubbed = false;
    bool m_serving = false;

    RateMeter m_down;
    RateMeter m_up;
    RateMeter m_arrival; // block payload bytes as they arrive (TorrentSession::m_arrival's share)
    RttEstimator m_rtt;
    qint64 m_createdMs = 0;
    qint64 m_connectedAtMs = 0;
    qint64 m_socketConnectedUs = -1;
    qint64 m_lastReceiveMs = 0;
    qint64 m_uninterestedSinceMs = -1;
    qint64 m_lastSendMs = 0;
    qint64 m_lastBlockMs = -1;
    qint64 m_lastRequestSentMs = -1;
    qint64 m_ignoredRequests = 0;

    // BEP 11 peer exchange
    QSet<QByteArray> m_pexAdvertised; // endpoints ("address|port") the peer has been told of
    qint64 m_lastPexSentMs = -1;
    qint64 m_lastPexReceivedMs = -1;
    int m_pexSent = 0;
    int m_pexReceived = 0;
    int m_pexIgnored = 0;
    int m_pexEarlyInARow = 0;
};

} // namespace swarmscope
