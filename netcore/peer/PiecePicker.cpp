#include "peer/PiecePicker.h"

#include <algorithm>

namespace swarmscope {

namespace {

// Random probes into a candidate pool before falling back to a full scan. Accepting the first probe that
// hits a piece the peer has is rejection sampling, so the choice stays uniform among eligible pieces; the
// scan only runs when the peer has few of them, and is uniform too.
constexpr int kProbes = 16;

template <typename T> void swapPop(std::vector<T>& v, std::vector<int>& slot, int value) {
    const int at = slot[value];
    const int last = v.back();
    v[at] = last;
    slot[last] = at;
    v.pop_back();
    slot[value] = -1;
}

} // namespace

PiecePicker::PiecePicker(const TorrentGeometry& geometry, quint32 seed)
    : m_geometry(geometry.isValid() ? geometry : TorrentGeometry{}), m_have(m_geometry.pieceCount),
      m_rng(seed) {
    const int n = m_geometry.pieceCount;
    m_bytesLeft = m_geometry.totalSize;
    m_availability.assign(n, 0);
    m_slot.assign(n, -1);
    m_freshSlot.assign(n, -1);
    m_partial.resize(n);
    m_buckets.resize(1);
    m_buckets[0].reserve(n);
    m_fresh.reserve(n);
    for (int piece = 0; piece < n; ++piece) {
        bucketInsert(piece);
        m_unrequested += blockCount(piece);
    }
    m_unrequestedUnavailable = m_unrequested;
}

PiecePicker::~PiecePicker() = default;

int PiecePicker::blockCount(int piece) const {
    return int((pieceSize(piece) + kBlockSize - 1) / kBlockSize);
}

int PiecePicker::blockLength(int piece, int offset) const {
    const qint64 size = pieceSize(piece);
    if (offset < 0 || offset >= size || offset % kBlockSize != 0)
        return 0;
    return int(qMin<qint64>(kBlockSize, size - offset));
}

// --- bookkeeping

int PiecePicker::unrequestedOf(int piece) const {
    if (m_have.testBit(piece))
        return 0;
    if (const Partial* partial = m_partial[piece].get())
        return partial->unrequested;
    return blockCount(piece);
}

void PiecePicker::adjustUnrequested(int piece, int delta) {
    m_unrequested += delta;
    if (m_availability[piece] == 0)
        m_unrequestedUnavailable += delta;
}

void PiecePicker::bucketInsert(int piece) {
    const int a = m_availability[piece];
    if (int(m_buckets.size()) <= a)
        m_buckets.resize(a + 1);
    m_slot[piece] = int(m_buckets[a].size());
    m_buckets[a].push_back(piece);
    m_freshSlot[piece] = int(m_fresh.size());
    m_fresh.push_back(piece);
}

void PiecePicker::bucketRemove(int piece) {
    swapPop(m_buckets[m_availability[piece]], m_slot, piece);
    swapPop(m_fresh, m_freshSlot, piece);
}

void PiecePicker::changeAvailability(int piece, int delta) {
    int& a = m_availability[piece];
    if (a + delta < 0)
        return; // a peerLost() without its peerBitfield(); counting below zero would break endgame
    const bool fresh = m_slot[piece] >= 0;
    if (fresh)
        swapPop(m_buckets[a], m_slot, piece);
    const int unrequested = unrequestedOf(piece);
    if (a == 0)
        m_unrequestedUnavailable -= unrequested;
    a += delta;
    if (a == 0)
        m_unrequestedUnavailable += unrequested;
    if (fresh) {
        if (int(m_buckets.size()) <= a)
            m_buckets.resize(a + 1);
        m_slot[piece] = int(m_buckets[a].size());
        m_buckets[a].push_back(piece);
    }
}

PiecePicker::Partial& PiecePicker::makePartial(int piece) {
    Q_ASSERT(!m_partial[piece] && !m_have.testBit(piece));
    if (m_slot[piece] >= 0)
        bucketRemove(piece);
    auto partial = std::make_unique<Partial>();
    partial->blocks.resize(blockCount(piece));
    partial->unrequested = int(partial->blocks.size());
    Partial& result = *partial;
    m_partial[piece] = std::move(partial);
    m_partialOrder.push_back(piece);
    return result;
}

void PiecePicker::dropPartial(int piece) {
    m_partialOrder.erase(std::find(m_partialOrder.begin(), m_partialOrder.end(), piece));
    m_partial[piece].reset();
}

// A piece whose requests were all withdrawn before any block arrived is fresh again, so it competes by
// availability instead of jumping the queue as a partial piece.
void PiecePicker::dropIfUntouched(int piece) {
    const Partial* partial = m_partial[piece].get();
    if (partial && partial->received == 0 && partial->unrequested == int(partial->blocks.size())) {
        dropPartial(piece);
        bucketInsert(piece);
    }
}

void PiecePicker::requestBlock(PeerId peer, int piece, int block, QList<BlockRequest>& out) {
    Partial& partial = *m_partial[piece];
    Block& b = partial.blocks[block];
    if (b.requesters.isEmpty()) {
        --partial.unrequested;
        adjustUnrequested(piece, -1);
        ++m_requestedBlocks;
    }
    b.requesters.append(peer);
    const int offset = block * kBlockSize;
    out.append({piece, offset, blockLength(piece, offset)});
}

bool PiecePicker::releaseRequest(PeerId peer, int piece, int block) {
    Partial& partial = *m_partial[piece];
    Block& b = partial.blocks[block];
    const qsizetype at = b.requesters.indexOf(peer);
    if (at < 0)
        return false;
    b.requesters.remove(at);
    if (b.requesters.isEmpty() && !b.received) {
        ++partial.unrequested;
        adjustUnrequested(piece, 1);
        --m_requestedBlocks;
    }
    return true;
}

QList<BlockRequest> PiecePicker::releaseAll(PeerId peer) {
    QList<BlockRequest> released;
    const std::vector<int> pieces = m_partialOrder; // dropIfUntouched() edits the order
    for (int piece : pieces) {
        const int blocks = int(m_partial[piece]->blocks.size());
        for (int block = 0; block < blocks; ++block) {
            if (releaseRequest(peer, piece, block)) {
                const int offset = block * kBlockSize;
                released.append({piece, offset, blockLength(piece, offset)});
            }
        }
        dropIfUntouched(piece);
    }
    return released;
}

QList<PeerId> PiecePicker::contributors(const Partial& partial) const {
    QList<PeerId> result;
    for (const Block& b : partial.blocks)
        if (b.received && !result.contains(b.deliveredBy))
            result.append(b.deliveredBy);
    return result;
}

PeerId PiecePicker::mainContributor(int piece) const {
    if (piece < 0 || piece >= pieceCount() || !m_partial[piece])
        return 0;
    QVarLengthArray<std::pair<PeerId, int>, 4> counts;
    for (const Block& b : m_partial[piece]->blocks) {
        if (!b.received)
            continue;
        auto it = std::find_if(counts.begin(), counts.end(),
                               [&](const auto& c) { return c.first == b.deliveredBy; });
        if (it == counts.end())
            counts.append({b.deliveredBy, 1});
        else
            ++it->second;
    }
    PeerId best = 0;
    int bestCount = 0;
    for (const auto& [peer, count] : counts)
        if (count > bestCount) {
            best = peer;
            bestCount = count;
        }
    return best;
}

quint32 PiecePicker::randomBelow(quint32 bound) {
    // Multiply-shift instead of std::uniform_int_distribution: the latter differs between standard
    // libraries, and a seeded run must pick the same pieces everywhere.
    return quint32((quint64(m_rng()) * bound) >> 32);
}

// --- availability

void PiecePicker::peerHas(int piece) {
    if (piece >= 0 && piece < pieceCount())
        changeAvailability(piece, 1);
}

void PiecePicker::peerBitfield(const Bitfield& peerPieces) {
    if (peerPieces.size() != pieceCount())
        return;
    peerPieces.forEachSet([this](int piece) { changeAvailability(piece, 1); });
}

void PiecePicker::peerLost(const Bitfield& peerPieces) {
    if (peerPieces.size() != pieceCount())
        return;
    peerPieces.forEachSet([this](int piece) { changeAvailability(piece, -1); });
}

int PiecePicker::availability(int piece) const {
    return piece >= 0 && piece < pieceCount() ? m_availability[piece] : 0;
}

// --- picking

QList<BlockRequest> PiecePicker::pick(PeerId peer, const Bitfield& peerPieces, int maxRequests) {
    QList<BlockRequest> out;
    if (maxRequests <= 0 || peerPieces.size() != pieceCount() || isComplete())
        return out;
    out.reserve(maxRequests);
    if (m_strategy == PickerStrategy::Sequential) {
        pickSequential(peer, peerPieces, maxRequests, out);
    } else {
        pickFromPartials(peer, peerPieces, maxRequests, out);
        if (out.size() < maxRequests) {
            if (m_strategy == PickerStrategy::Random || m_have.count() < m_randomFirstPieces)
                pickRandom(peer, peerPieces, maxRequests, out);
            else
                pickRarest(peer, peerPieces, maxRequests, out);
        }
    }
    if (out.size() < maxRequests && isEndgame())
        pickDuplicates(peer, peerPieces, maxRequests, out);
    return out;
}

void PiecePicker::startPiece(PeerId peer, int piece, int maxRequests, QList<BlockRequest>& out) {
    const int blocks = int(makePartial(piece).blocks.size());
    for (int block = 0; block < blocks && out.size() < maxRequests; ++block)
        requestBlock(peer, piece, block, out);
}

void PiecePicker::pickFromPartials(PeerId peer, const Bitfield& peerPieces, int maxRequests,
                                   QList<BlockRequest>& out) {
    for (int piece : m_partialOrder) {
        const Partial& partial = *m_partial[piece];
        if (partial.unrequested == 0 || !peerPieces.testBit(piece))
            continue;
        const int blocks = int(partial.blocks.size());
        for (int block = 0; block < blocks; ++block) {
            const Block& b = partial.blocks[block];
            if (b.received || !b.requesters.isEmpty())
                continue;
            requestBlock(peer, piece, block, out);
            if (out.size() >= maxRequests)
                return;
        }
    }
}

void PiecePicker::pickSequential(PeerId peer, const Bitfield& peerPieces, int maxRequests,
                                 QList<BlockRequest>& out) {
    // Leapfrog between "next piece the peer has" and "next piece we lack", 64 bits at a time, so sparse
    // peers and long runs of our own pieces cost little.
    for (int piece = peerPieces.nextSetBit(0); piece >= 0 && out.size() < maxRequests;
         piece = peerPieces.nextSetBit(piece + 1)) {
        if (m_have.testBit(piece)) {
            piece = m_have.nextClearBit(piece) - 1;
            if (piece < 0)
                break;
            continue;
        }
        if (const Partial* partial = m_partial[piece].get()) {
            if (partial->unrequested == 0)
                continue;
            const int blocks = int(partial->blocks.size());
            for (int block = 0; block < blocks && out.size() < maxRequests; ++block) {
                const Block& b = partial->blocks[block];
                if (!b.received && b.requesters.isEmpty())
                    requestBlock(peer, piece, block, out);
            }
        } else {
            startPiece(peer, piece, maxRequests, out);
        }
    }
}

void PiecePicker::pickRandom(PeerId peer, const Bitfield& peerPieces, int maxRequests,
                             QList<BlockRequest>& out) {
    while (out.size() < maxRequests && !m_fresh.empty()) {
        int found = -1;
        for (int probe = 0; probe < kProbes && found < 0; ++probe) {
            const int piece = m_fresh[randomBelow(quint32(m_fresh.size()))];
            if (peerPieces.testBit(piece))
                found = piece;
        }
        if (found < 0) {
            m_scratch.clear();
            for (int piece : m_fresh)
                if (peerPieces.testBit(piece))
                    m_scratch.push_back(piece);
            for (size_t i = 0; i < m_scratch.size() && out.size() < maxRequests; ++i) {
                std::swap(m_scratch[i], m_scratch[i + randomBelow(quint32(m_scratch.size() - i))]);
                startPiece(peer, m_scratch[i], maxRequests, out);
            }
            return;
        }
        startPiece(peer, found, maxRequests, out);
    }
}

void PiecePicker::pickRarest(PeerId peer, const Bitfield& peerPieces, int maxRequests,
                             QList<BlockRequest>& out) {
    // Bucket 0 last: a peer's pieces have availability >= 1 once its bitfield is reported, so bucket 0 only
    // matters if the caller did not report it, and then it should still download, just after the rest.
    const int bucketCount = int(m_buckets.size());
    for (int i = 1; i <= bucketCount && out.size() < maxRequests; ++i) {
        std::vector<int>& bucket = m_buckets[i % bucketCount];
        while (out.size() < maxRequests && !bucket.empty()) {
            int found = -1;
            for (int probe = 0; probe < kProbes && found < 0; ++probe) {
                const int piece = bucket[randomBelow(quint32(bucket.size()))];
                if (peerPieces.testBit(piece))
                    found = piece;
            }
            if (found < 0) {
                m_scratch.clear();
                for (int piece : bucket)
                    if (peerPieces.testBit(piece))
                        m_scratch.push_back(piece);
                for (size_t k = 0; k < m_scratch.size() && out.size() < maxRequests; ++k) {
                    std::swap(m_scratch[k], m_scratch[k + randomBelow(quint32(m_scratch.size() - k))]);
                    startPiece(peer, m_scratch[k], maxRequests, out);
                }
                break;
            }
            startPiece(peer, found, maxRequests, out);
        }
    }
}

void PiecePicker::pickDuplicates(PeerId peer, const Bitfield& peerPieces, int maxRequests,
                                 QList<BlockRequest>& out) {
    struct Candidate {
        int piece;
        int block;
        qsizetype requesters;
    };
    std::vector<Candidate> candidates;
    for (int piece : m_partialOrder) {
        if (!peerPieces.testBit(piece))
            continue;
        const Partial& partial = *m_partial[piece];
        const int blocks = int(partial.blocks.size());
        for (int block = 0; block < blocks; ++block) {
            const Block& b = partial.blocks[block];
            if (!b.received && !b.requesters.isEmpty() && b.requesters.size() < kMaxEndgameRequesters &&
                !b.requesters.contains(peer))
                candidates.push_back({piece, block, b.requesters.size()});
        }
    }
    // The least duplicated blocks first, so that every slow block gets a second source before any block
    // gets a third.
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate& a, const Candidate& b) { return a.requesters < b.requesters; });
    for (const Candidate& c : candidates) {
        if (out.size() >= maxRequests)
            break;
        requestBlock(peer, c.piece, c.block, out);
    }
}

// --- arrivals and withdrawals

BlockReceipt PiecePicker::blockReceived(PeerId peer, int piece, int offset, int length) {
    BlockReceipt receipt;
    if (piece < 0 || piece >= pieceCount() || m_have.testBit(piece))
        return receipt;
    const int expected = blockLength(piece, offset);
    if (expected == 0 || expected != length)
        return receipt;
    Partial* partial = m_partial[piece].get();
    if (!partial)
        partial = &makePartial(piece);
    Block& b = partial->blocks[offset / kBlockSize];
    if (b.received)
        return receipt;
    if (b.requesters.isEmpty()) {
        --partial->unrequested;
        adjustUnrequested(piece, -1);
    } else {
        --m_requestedBlocks;
        for (PeerId other : b.requesters)
            if (other != peer)
                receipt.cancel.append(other);
        b.requesters.clear();
    }
    b.received = true;
    b.deliveredBy = peer;
    ++partial->received;
    if (!m_trust.contains(peer))
        m_trust.insert(peer, 0);
    receipt.accepted = true;
    receipt.pieceComplete = partial->received == int(partial->blocks.size());
    return receipt;
}

bool PiecePicker::requestCancelled(PeerId peer, int piece, int offset) {
    if (piece < 0 || piece >= pieceCount() || !m_partial[piece] || blockLength(piece, offset) == 0)
        return false;
    const bool released = releaseRequest(peer, piece, offset / kBlockSize);
    dropIfUntouched(piece);
    return released;
}

QList<BlockRequest> PiecePicker::peerChoked(PeerId peer) {
    return releaseAll(peer);
}

QList<BlockRequest> PiecePicker::peerGone(PeerId peer) {
    m_trust.remove(peer);
    return releaseAll(peer);
}

// --- verification

void PiecePicker::pieceVerified(int piece) {
    if (piece < 0 || piece >= pieceCount() || m_have.testBit(piece))
        return;
    if (const Partial* partial = m_partial[piece].get()) {
        for (PeerId contributor : contributors(*partial)) {
            auto it = m_trust.find(contributor);
            if (it != m_trust.end())
                *it = qMin(kTrustMax, *it + 1);
        }
        // Requests still out (a piece verified before all its blocks came) just lapse.
        for (const Block& b : partial->blocks)
            if (!b.received && !b.requesters.isEmpty())
                --m_requestedBlocks;
        adjustUnrequested(piece, -partial->unrequested);
        dropPartial(piece);
    } else {
        bucketRemove(piece);
        adjustUnrequested(piece, -blockCount(piece));
    }
    m_have.setBit(piece);
    m_bytesLeft -= pieceSize(piece);
}

PieceFailure PiecePicker::pieceFailed(int piece) {
    PieceFailure failure;
    if (piece < 0 || piece >= pieceCount() || !m_partial[piece])
        return failure;
    const Partial& partial = *m_partial[piece];
    failure.contributors = contributors(partial);
    const bool sole = failure.contributors.size() == 1;
    for (PeerId contributor : failure.contributors) {
        auto it = m_trust.find(contributor);
        int trust = (it != m_trust.end() ? *it : 0) - kTrustPenalty;
        if (it != m_trust.end())
            *it = trust;
        if (sole || trust <= kBanTrust)
            failure.banned.append(contributor);
    }
    for (const Block& b : partial.blocks)
        if (!b.received && !b.requesters.isEmpty())
            --m_requestedBlocks;
    adjustUnrequested(piece, blockCount(piece) - partial.unrequested);
    dropPartial(piece);
    bucketInsert(piece);
    return failure;
}

// --- state

bool PiecePicker::isEndgame() const {
    return m_requestedBlocks > 0 && m_unrequested == m_unrequestedUnavailable;
}

Bitfield PiecePicker::inFlightPieces() const {
    Bitfield result(pieceCount());
    for (int piece : m_partialOrder) {
        const Partial& partial = *m_partial[piece];
        if (int(partial.blocks.size()) - partial.received - partial.unrequested > 0)
            result.setBit(piece);
    }
    return result;
}

QList<int> PiecePicker::partialPieces() const {
    return QList<int>(m_partialOrder.begin(), m_partialOrder.end());
}

BlockStatus PiecePicker::blockStatus(int piece, int offset) const {
    if (piece < 0 || piece >= pieceCount() || blockLength(piece, offset) == 0)
        return BlockStatus::Missing;
    if (m_have.testBit(piece))
        return BlockStatus::Received;
    const Partial* partial = m_partial[piece].get();
    if (!partial)
        return BlockStatus::Missing;
    const Block& b = partial->blocks[offset / kBlockSize];
    if (b.received)
        return BlockStatus::Received;
    return b.requesters.isEmpty() ? BlockStatus::Missing : BlockStatus::Requested;
}

QList<PeerId> PiecePicker::requesters(int piece, int offset) const {
    if (piece < 0 || piece >= pieceCount() || blockLength(piece, offset) == 0 || !m_partial[piece])
        return {};
    const Block& b = m_partial[piece]->blocks[offset / kBlockSize];
    return QList<PeerId>(b.requesters.begin(), b.requesters.end());
}

} // namespace swarmscope
