#pragma once

#include <QtGlobal>

#include <deque>
#include <functional>
#include <vector>

namespace swarmscope {

// Which of one client's connections may put blocks on its capped upload link, a piece at a time.
//
// Shared round robin, block by block, splits the cap evenly among every connection that has requests: with
// k of them, each of their pieces crosses k times slower, and the receiver can upload nothing of it until the
// whole piece has arrived and been verified. Serving whole pieces in turn (shortest remaining work first, at
// piece granularity) moves the same bytes in the same time, but each piece is finished k times sooner, so it
// is passed on sooner: the start of a swarm and each new piece spread faster.
//
// At most `concurrent` connections hold a turn at once. A holder keeps it while its next block belongs to the
// piece it is sending; when its next block starts another piece and somebody waits, it keeps the turn until
// what it wrote has crossed the link (so the piece is finished before anyone else's bytes queue beside it),
// then goes to the back of the line. A connection that has nothing left to send gives its turn up. Waiting
// connections are woken in order through the wake callback, which must make them try again soon (not from
// inside the call).
//
// A holder whose stream stops moving (the receiver's window is full, its download cap holds it back) must not
// keep the link idle: one that has moved no byte for staleMs while others wait goes to the back of the line.
//
// With no cap on the link every connection may always send: there is no share to divide. concurrent 0 turns
// the rule off: every connection shares the cap block by block.
//
// Not thread-safe: it lives on the thread of the client's connections.
class UploadTurns {
public:
    using Key = void*;
    using Wake = std::function<void(Key)>;

    UploadTurns(int concurrent, Wake wake);

    // May `key` write its next block, which belongs to `piece`? When not, it waits in line and is woken when
    // a turn is its own. capped: whether the upload link has a cap now; flushed: whether everything `key`
    // wrote has crossed the link (a holder asks again then, for its turn to pass on).
    bool mayServe(Key key, int piece, bool capped, qint64 nowMs, bool flushed);
    // Bytes of `key` crossed the link.
    void progressed(Key key, qint64 nowMs);
    // Holders that moved nothing for staleMs give way to those waiting. The client calls it on its tick.
    void expire(qint64 nowMs, qint64 staleMs);
    // The link moved sentBytes of the capBytes its cap allowed since the last call. Holders that cannot fill
    // the link (receivers slower than it) would leave it idle while others wait: then more turns are handed
    // out at once, doubling each time, and fewer again once the link is full.
    void adapt(qint64 sentBytes, qint64 capBytes);
    // Turns handed out at once now: concurrent() and those added by adapt().
    int effectiveConcurrent() const { return m_concurrent + m_extra; }
    // `key` has nothing to send for now, or is going away: its turn and its place in line are given up.
    void release(Key key);

    int holders() const { return int(m_holders.size()); }
    int waiting() const { return int(m_waiting.size()); }
    bool holds(Key key) const;

private:
    static constexpr int kMaxExtra = 1024;
    struct Holder {
        Key key;
        int piece;
        qint64 lastMs; // granted or last moved bytes
    };
    std::vector<Holder>::iterator holder(Key key);
    std::vector<Holder>::const_iterator holder(Key key) const;
    void grantWaiting();
    void dropFromLine(Key key);

    int m_concurrent;
    Wake m_wake;
    std::vector<Holder> m_holders;
    std::deque<Key> m_waiting;
    int m_extra = 0;
    qint64 m_lastNowMs = 0; // the latest time passed in, for turns granted to those waiting
};

} // namespace swarmscope
