#pragma once

#include "peer/PickerStrategy.h"
#include "wire/Bitfield.h"
#include "wire/TorrentGeometry.h"

#include <QHash>
#include <QList>
#include <QVarLengthArray>

#include <memory>
#include <random>
#include <vector>

namespace swarmscope {

// An opaque connection handle chosen by the caller (a pointer or a counter). The picker only compares
// them; the same alias is declared in Choker.h.
using PeerId = quintptr;

// One block of one piece, as a REQUEST, PIECE or CANCEL message names it.
struct BlockRequest {
    int piece = 0;
    int offset = 0;
    int length = 0;

    friend bool operator==(const BlockRequest&, const BlockRequest&) = default;
};

enum class BlockStatus {
    Missing,   // nobody has it requested
    Requested, // requested from at least one peer, not arrived
    Received,  // arrived (or the whole piece is ours)
};

struct BlockReceipt {
    // False: drop the data. The block was already in, the piece is ours, or piece/offset/length do not name
    // a block of this torrent.
    bool accepted = false;
    // Every block of the piece is in: hash it, then call pieceVerified() or pieceFailed().
    bool pieceComplete = false;
    // Other peers that still had this block requested (endgame duplicates): send each of them a CANCEL.
    // Their requests are already released here; if their copy arrives anyway, blockReceived() refuses it.
    QList<PeerId> cancel;
};

struct PieceFailure {
    // Every peer that delivered a block of the failed piece, each once.
    QList<PeerId> contributors;
    // Peers to disconnect and ban: the only contributor of the piece, and any contributor whose trust has
    // fallen to kBanTrust. Peers already gone (peerGone) are still reported, so their address can be banned.
    QList<PeerId> banned;
};

// Chooses which blocks to request from which peer, for one torrent of one client. It owns our have-bitfield,
// the swarm's availability of each piece, and the state of every block of every partially downloaded piece.
// It never touches a socket or a clock: the connection layer feeds it events and sends what it returns.
//
// Life of a piece: fresh (nothing requested) -> partial (some blocks requested or received) -> complete (all
// received, being hashed) -> ours (pieceVerified) or back to fresh (pieceFailed). A partial piece whose
// requests are all withdrawn before any block arrived is fresh again.
//
// Cost: availability updates are O(1) per piece (pieces sit in buckets by availability). pick() is O(partial
// pieces + blocks returned) in the common case; it falls back to one O(pieces) scan when random probing
// fails (a peer with few wanted pieces). Endgame picks are O(blocks of partial pieces).
//
// Not thread-safe: it lives on the thread that owns the client's connections.
class PiecePicker {
public:
    static constexpr int kBlockSize = 16 * 1024;
    static constexpr int kDefaultRandomFirstPieces = 4;
    // In endgame a block is asked of at most this many peers at once: every extra copy costs a block of
    // upload that the CANCEL usually reaches too late to save.
    static constexpr int kMaxEndgameRequesters = 2;
    // Trust: +1 per verified piece a peer contributed to (up to kTrustMax), -2 per failed one; at kBanTrust
    // or below the peer is banned. A fresh peer is therefore banned on its third failure in a row.
    static constexpr int kTrustMax = 8;
    static constexpr int kTrustPenalty = 2;
    static constexpr int kBanTrust = -6;

    // The RNG (tie-breaking, random pieces) is seeded from seed, so a run is reproducible.
    explicit PiecePicker(const TorrentGeometry& geometry, quint32 seed = 0);
    ~PiecePicker();
    PiecePicker(const PiecePicker&) = delete;
    PiecePicker& operator=(const PiecePicker&) = delete;

    // --- configuration; both may change at any time and take effect on the next pick()
    void setStrategy(PickerStrategy strategy) { m_strategy = strategy; }
    PickerStrategy strategy() const { return m_strategy; }
    // RarestFirst picks fresh pieces at random until we hold this many pieces, so that we have something to
    // trade quickly instead of waiting on rare pieces from few peers.
    void setRandomFirstPieces(int count) { m_randomFirstPieces = qMax(0, count); }
    int randomFirstPieces() const { return m_randomFirstPieces; }

    // --- geometry
    const TorrentGeometry& geometry() const { return m_geometry; }
    int pieceCount() const { return m_geometry.pieceCount; }
    qint64 pieceSize(int piece) const { return m_geometry.pieceSize(piece); }
    int blockCount(int piece) const;
    // Length of the block starting at offset; 0 when offset is not a block boundary inside the piece.
    int blockLength(int piece, int offset) const;

    // --- our pieces
    const Bitfield& have() const { return m_have; }
    bool isComplete() const { return m_have.all(); }
    qint64 bytesLeft() const { return m_bytesLeft; } // the tracker's "left"
    // True when the peer has a piece we lack: whether we should be interested in it.
    bool isInteresting(const Bitfield& peerPieces) const { return peerPieces.hasAnyNotIn(m_have); }

    // --- availability: the caller reports every peer's BITFIELD and HAVE, and the bitfield of every peer
    // that disconnects. A seed counts like any other peer.
    void peerHas(int piece);
    void peerBitfield(const Bitfield& peerPieces);
    void peerLost(const Bitfield& peerPieces);
    int availability(int piece) const;

    // --- requests
    // Up to maxRequests new blocks to request from peer, never a block it is already waiting for, never from
    // a piece it lacks or that we have. The picked blocks count as requested by peer from now on. Outside
    // endgame a block is requested from one peer only; in endgame a block may go to several peers, the least
    // duplicated first.
    QList<BlockRequest> pick(PeerId peer, const Bitfield& peerPieces, int maxRequests);
    // A PIECE message arrived from peer. Accepts a block nobody requested from it if we still need it (a
    // late block after a choke is still good data).
    BlockReceipt blockReceived(PeerId peer, int piece, int offset, int length);
    // The request is withdrawn: we sent CANCEL, it timed out, or the peer rejected it. The block goes back to
    // the pool. Returns false when peer had no such request.
    bool requestCancelled(PeerId peer, int piece, int offset);
    // The peer refused the request (BEP 6 REJECT): the same as a withdrawal.
    bool requestRejected(PeerId peer, int piece, int offset) { return requestCancelled(peer, piece, offset); }
    // The peer choked us; BEP 3 says it discards our pending requests. Returns the blocks released.
    QList<BlockRequest> peerChoked(PeerId peer);
    // The peer disconnected: releases its requests and forgets its trust. Call peerLost() with its bitfield
    // too; the picker keeps no per-peer bitfields.
    QList<BlockRequest> peerGone(PeerId peer);

    // --- verification
    // The piece hashed correctly (or resume data says we have it): it becomes ours and its contributors gain
    // trust.
    void pieceVerified(int piece);
    // The piece failed its hash: all its blocks go back to missing, and the contributors lose trust.
    PieceFailure pieceFailed(int piece);
    // The peer that delivered most of the piece's blocks (the first of them on a tie), for telling who sent
    // a piece; 0 when the piece is not in progress or no block has arrived. Call before pieceVerified().
    PeerId mainContributor(int piece) const;
    // 0 for a peer never seen or already gone.
    int trust(PeerId peer) const { return m_trust.value(peer, 0); }

    // --- state, for the connection layer and GUI snapshots
    // Every missing block of the pieces some peer has is requested already: pick() now hands out
    // duplicates. Blocks of pieces no connected peer has do not hold endgame back.
    bool isEndgame() const;
    // Pieces with at least one requested block that has not arrived.
    Bitfield inFlightPieces() const;
    // Pieces in progress (partial or being hashed), oldest first.
    QList<int> partialPieces() const;
    BlockStatus blockStatus(int piece, int offset) const;
    // Peers that have the block at offset requested; empty when none.
    QList<PeerId> requesters(int piece, int offset) const;

private:
    struct Block {
        QVarLengthArray<PeerId, 1> requesters;
        PeerId deliveredBy = 0;
        bool received = false;
    };
    struct Partial {
        std::vector<Block> blocks;
        int received = 0;
        int unrequested = 0; // neither received nor requested
    };

    int unrequestedOf(int piece) const;
    void adjustUnrequested(int piece, int delta);
    void bucketInsert(int piece);
    void bucketRemove(int piece);
    void changeAvailability(int piece, int delta);

    Partial& makePartial(int piece);
    void dropPartial(int piece);
    void dropIfUntouched(int piece);
    void requestBlock(PeerId peer, int piece, int block, QList<BlockRequest>& out);
    bool releaseRequest(PeerId peer, int piece, int block);
    QList<BlockRequest> releaseAll(PeerId peer);
    QList<PeerId> contributors(const Partial& partial) const;

    // Each appends to out until it holds maxRequests blocks.
    void pickFromPartials(PeerId peer, const Bitfield& peerPieces, int maxRequests, QList<BlockRequest>& out);
    void pickSequential(PeerId peer, const Bitfield& peerPieces, int maxRequests, QList<BlockRequest>& out);
    void pickRandom(PeerId peer, const Bitfield& peerPieces, int maxRequests, QList<BlockRequest>& out);
    void pickRarest(PeerId peer, const Bitfield& peerPieces, int maxRequests, QList<BlockRequest>& out);
    void pickDuplicates(PeerId peer, const Bitfield& peerPieces, int maxRequests, QList<BlockRequest>& out);
    void startPiece(PeerId peer, int piece, int maxRequests, QList<BlockRequest>& out);
    quint32 randomBelow(quint32 bound);

    TorrentGeometry m_geometry;
    PickerStrategy m_strategy = PickerStrategy::RarestFirst;
    int m_randomFirstPieces = kDefaultRandomFirstPieces;
    Bitfield m_have;
    qint64 m_bytesLeft = 0;

    std::vector<int> m_availability;
    // Fresh pieces, twice: by availability for rarest-first (m_buckets[a] holds the fresh pieces that a
    // peers have, in no order), and flat for uniform random draws. The slots are each piece's index in its
    // bucket and in m_fresh, -1 when it is not fresh. Both are kept by swap-and-pop, O(1) per change.
    std::vector<std::vector<int>> m_buckets;
    std::vector<int> m_slot;
    std::vector<int> m_fresh;
    std::vector<int> m_freshSlot;

    std::vector<std::unique_ptr<Partial>> m_partial; // by piece; null unless partial or being hashed
    std::vector<int> m_partialOrder;                 // the partial pieces, oldest first

    qint64 m_unrequested = 0;            // missing blocks nobody has requested, over all pieces we lack
    qint64 m_unrequestedUnavailable = 0; // the part of m_unrequested in pieces no connected peer has
    qint64 m_requestedBlocks = 0;        // blocks requested from at least one peer and not arrived

    QHash<PeerId, int> m_trust; // peers that delivered at least one block and are not gone
    std::mt19937 m_rng;
    std::vector<int> m_scratch;
};

} // namespace swarmscope
