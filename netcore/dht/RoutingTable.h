#pragma once

#include "dht/Krpc.h"

#include <QByteArray>
#include <QList>

#include <optional>

namespace swarmscope {

// 160-bit ids compared by XOR distance (BEP 5).
namespace nodeid {
// True when a is closer to target than b.
bool closer(const QByteArray& a, const QByteArray& b, const QByteArray& target);
// Leading bits a and b share (160 when equal).
int commonPrefix(const QByteArray& a, const QByteArray& b);
} // namespace nodeid

// The routing table of BEP 5: buckets of at most k = 8 nodes. Bucket i < last holds the nodes whose id
// shares exactly i leading bits with ours; the last holds the rest, our own id's range, and is the only one
// that splits when full (up to 160 buckets), which is BEP 5's "split the bucket our id falls in". A node is
// good when it answered within 15 minutes, bad after 2 failed queries in a row, questionable otherwise; a
// full bucket replaces a bad node at once and keeps one newcomer in reserve for a questionable one, which the
// caller pings (needsPing()); a failed ping then gives its place to the newcomer. Time is passed in.
class RoutingTable {
public:
    static constexpr int kBucketSize = 8;
    static constexpr int kMaxBuckets = 160;
    static constexpr qint64 kGoodForMs = 15 * 60 * 1000;
    static constexpr int kBadAfterFailures = 2;

    struct Entry {
        QByteArray id;
        DhtEndpoint endpoint;
        qint64 lastSeenMs = 0;
        int failures = 0;
        bool answered = false; // has ever answered a query of ours
    };

    explicit RoutingTable(const QByteArray& ownId) : m_ownId(ownId) { m_buckets.resize(1); }

    const QByteArray& ownId() const { return m_ownId; }
    // A node was heard from (it answered: answered = true; it queried us: false). False when it has no place.
    bool heard(const QByteArray& id, const DhtEndpoint& endpoint, qint64 nowMs, bool answered);
    // A query to the node at endpoint went unanswered.
    void failed(const DhtEndpoint& endpoint);
    // Questionable nodes of full buckets that have a newcomer waiting: ping each (at most once per call).
    QList<DhtEndpoint> needsPing(qint64 nowMs);
    // Up to count nodes closest to target, bad ones left out.
    QList<CompactNode> closest(const QByteArray& target, int count) const;

    int size() const;
    int bucketCount() const { return int(m_buckets.size()); }
    int bucketSize(int index) const { return int(m_buckets.at(index).nodes.size()); }

private:
    struct Bucket {
        QList<Entry> nodes;
        std::optional<Entry> reserve;
        bool pinged = false; // a questionable node is being pinged for the reserve
    };
    int bucketFor(const QByteArray& id) const;
    void split();
    bool isBad(const Entry& e) const { return e.failures >= kBadAfterFailures; }
    bool isGood(const Entry& e, qint64 nowMs) const {
        return !isBad(e) && e.answered && nowMs - e.lastSeenMs < kGoodForMs;
    }

    QByteArray m_ownId;
    QList<Bucket> m_buckets;
};

} // namespace swarmscope
