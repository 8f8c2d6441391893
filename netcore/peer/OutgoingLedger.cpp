#include "peer/OutgoingLedger.h"

namespace swarmscope {

void OutgoingLedger::addMessage(qint64 bytes) {
    if (bytes <= 0)
        return;
    Entry e;
    e.bytes = bytes;
    e.header = bytes;
    m_entries.push_back(e);
    m_bytes += bytes;
}

void OutgoingLedger::addBlock(const BlockRequest& block, qint64 frameBytes) {
    Entry e;
    e.bytes = frameBytes;
    e.payload = block.length;
    e.header = frameBytes - block.length;
    e.block = block;
    e.isBlock = true;
    m_entries.push_back(e);
    m_bytes += frameBytes;
    m_payload += block.length;
}

void OutgoingLedger::setLastWriteId(quint64 id) {
    // The write may have crossed whole already (and left the ledger) before its id was known.
    if (!m_entries.empty() && m_entries.back().writeId == 0)
        m_entries.back().writeId = id;
}

qint64 OutgoingLedger::crossed(qint64 bytes) {
    qint64 payload = 0;
    while (bytes > 0 && !m_entries.empty()) {
        Entry& e = m_entries.front();
        const qint64 n = qMin(bytes, e.bytes - e.done);
        // The payload part of [done, done + n).
        const qint64 from = qMax(e.done, e.header);
        const qint64 to = qMax(e.done + n, e.header);
        const qint64 moved = to - from;
        payload += moved;
        m_payload -= moved;
        e.done += n;
        bytes -= n;
        m_bytes -= n;
        if (e.done == e.bytes)
            m_entries.pop_front();
    }
    return payload;
}

std::optional<quint64> OutgoingLedger::unstartedWrite(const BlockRequest& block) const {
    for (const Entry& e : m_entries)
        if (e.isBlock && e.done == 0 && e.writeId != 0 && e.block == block)
            return e.writeId;
    return std::nullopt;
}

std::deque<quint64> OutgoingLedger::unstartedBlockWrites() const {
    std::deque<quint64> ids;
    for (const Entry& e : m_entries)
        if (e.isBlock && e.done == 0 && e.writeId != 0)
            ids.push_back(e.writeId);
    return ids;
}

BlockRequest OutgoingLedger::blockOfWrite(quint64 id) const {
    for (const Entry& e : m_entries)
        if (e.writeId == id && e.isBlock)
            return e.block;
    return {};
}

void OutgoingLedger::removeWrite(quint64 id) {
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        if (it->writeId != id)
            continue;
        m_bytes -= it->bytes - it->done;
        m_payload -= it->isBlock ? it->payload - qMax<qint64>(0, it->done - it->header) : 0;
        m_entries.erase(it);
        return;
    }
}

} // namespace swarmscope
