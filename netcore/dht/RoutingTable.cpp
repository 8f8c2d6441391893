#include "dht/RoutingTable.h"

#include <algorithm>

namespace swarmscope {

namespace nodeid {

bool closer(const QByteArray& a, const QByteArray& b, const QByteArray& target) {
    for (int i = 0; i < krpc::kIdSize; ++i) {
        const quint8 da = quint8(a.at(i)) ^ quint8(target.at(i));
        const quint8 db = quint8(b.at(i)) ^ quint8(target.at(i));
        if (da != db)
            return da < db;
    }
    return false;
}

int commonPrefix(const QByteArray& a, const QByteArray& b) {
    for (int i = 0; i < krpc::kIdSize; ++i) {
        const quint8 x = quint8(a.at(i)) ^ quint8(b.at(i));
        if (x != 0) {
            int bits = 0;
            for (quint8 mask = 0x80; !(x & mask); mask >>= 1)
                ++bits;
            return i * 8 + bits;
        }
    }
    return krpc::kIdSize * 8;
}

} // namespace nodeid

int RoutingTable::bucketFor(const QByteArray& id) const {
    return std::min(nodeid::commonPrefix(id, m_ownId), int(m_buckets.size()) - 1);
}

void RoutingTable::split() {
    const int last = int(m_buckets.size()) - 1;
    Bucket old = m_buckets.takeLast();
    m_buckets.append(Bucket{});
    m_buckets.append(Bucket{});
    for (const Entry& e : old.nodes)
        m_buckets[nodeid::commonPrefix(e.id, m_ownId) > last ? last + 1 : last].nodes.append(e);
}

bool RoutingTable::heard(const QByteArray& id, const DhtEndpoint& endpoint, qint64 nowMs, bool answered) {
    if (id.size() != krpc::kIdSize || id == m_ownId || endpoint.port == 0)
        return false;
    for (;;) {
        Bucket& bucket = m_buckets[bucketFor(id)];
        for (Entry& e : bucket.nodes) {
            if (e.id == id) {
                if (!(e.endpoint == endpoint)) {
                    // The same id from somewhere else: keep the one we know unless it has gone bad.
                    if (!isBad(e))
                        return true;
                    e.endpoint = endpoint;
                }
                e.lastSeenMs = nowMs;
                e.failures = 0;
                e.answered = e.answered || answered;
                return true;
            }
            if (e.endpoint == endpoint && e.id != id && isBad(e)) {
                e = Entry{id, endpoint, nowMs, 0, answered};
                return true;
            }
        }
        if (bucket.nodes.size() < kBucketSize) {
            bucket.nodes.append(Entry{id, endpoint, nowMs, 0, answered});
            return true;
        }
        const bool ownRange = &bucket == &m_buckets.last();
        if (ownRange && m_buckets.size() < kMaxBuckets) {
            split();
            continue;
        }
        for (Entry& e : bucket.nodes) {
            if (isBad(e)) {
                e = Entry{id, endpoint, nowMs, 0, answered};
                return true;
            }
        }
        // Full of good or questionable nodes: a newcomer waits in reserve while a questionable one is pinged.
        if (answered || !bucket.reserve)
            bucket.reserve = Entry{id, endpoint, nowMs, 0, answered};
        return false;
    }
}

void RoutingTable::failed(const DhtEndpoint& endpoint) {
    for (Bucket& bucket : m_buckets) {
        for (qsizetype i = 0; i < bucket.nodes.size(); ++i) {
            Entry& e = bucket.nodes[i];
            if (!(e.endpoint == endpoint))
                continue;
            ++e.failures;
            if (isBad(e) && bucket.reserve) {
                e = *bucket.reserve;
                bucket.reserve.reset();
                bucket.pinged = false;
            }
            return;
        }
    }
}

QList<DhtEndpoint> RoutingTable::needsPing(qint64 nowMs) {
    QList<DhtEndpoint> out;
    for (Bucket& bucket : m_buckets) {
        if (!bucket.reserve)
            continue;
        const Entry* oldest = nullptr;
        for (const Entry& e : bucket.nodes) {
            if (!isGood(e, nowMs) && (!oldest || e.lastSeenMs < oldest->lastSeenMs))
                oldest = &e;
        }
        if (!oldest) {
            bucket.reserve.reset(); // every node good: the newcomer is dropped (BEP 5)
            continue;
        }
        out.append(oldest->endpoint);
    }
    return out;
}

QList<CompactNode> RoutingTable::closest(const QByteArray& target, int count) const {
    QList<CompactNode> all;
    for (const Bucket& bucket : m_buckets) {
        for (const Entry& e : bucket.nodes) {
            if (!isBad(e))
                all.append(CompactNode{e.id, e.endpoint});
        }
    }
    std::sort(all.begin(), all.end(),
              [&](const CompactNode& a, const CompactNode& b) { return nodeid::closer(a.id, b.id, target); });
    if (all.size() > count)
        all.resize(count);
    return all;
}

int RoutingTable::size() const {
    int n = 0;
    for (const Bucket& bucket : m_buckets)
        n += int(bucket.nodes.size());
    return n;
}

} // namespace swarmscope
