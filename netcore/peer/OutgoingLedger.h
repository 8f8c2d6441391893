#pragma once

#include "peer/PiecePicker.h"

#include <QtGlobal>

#include <deque>
#include <optional>

namespace swarmscope {

// What one connection has written to its stream and not yet seen cross the link, in order: block payload or
// protocol overhead. The stream reports bytes as they cross (ByteStream::bytesSent); the ledger turns them
// into payload bytes uploaded, counted at that moment and once. A block none of whose bytes has crossed can
// still be taken back (a choke, a cancel, a pause), and the ledger finds its write for that.
class OutgoingLedger {
public:
    // Call before the write, so bytes reported while the stream takes it are already accounted for; then
    // set the write's id with setLastWriteId().
    void addMessage(qint64 bytes);
    void addBlock(const BlockRequest& block, qint64 frameBytes);
    void setLastWriteId(quint64 id);

    // bytes crossed the link; returns the payload among them.
    qint64 crossed(qint64 bytes);

    // The write of a queued block not yet started; nothing when it is under way, gone, or not there.
    std::optional<quint64> unstartedWrite(const BlockRequest& block) const;
    // Every such write, oldest first.
    std::deque<quint64> unstartedBlockWrites() const;
    // The block of a write (a default BlockRequest for other writes).
    BlockRequest blockOfWrite(quint64 id) const;
    // Forgets a write the stream gave back whole.
    void removeWrite(quint64 id);

    qint64 queuedPayload() const { return m_payload; }
    qint64 queuedBytes() const { return m_bytes; }
    bool isEmpty() const { return m_entries.empty(); }

private:
    struct Entry {
        quint64 writeId = 0;
        qint64 bytes = 0;   // the whole write
        qint64 header = 0;  // overhead before the payload (a PIECE frame's 13 bytes)
        qint64 payload = 0; // block bytes after the header
        qint64 done = 0;    // bytes already across
        BlockRequest block;
        bool isBlock = false;
    };

    std::deque<Entry> m_entries;
    qint64 m_bytes = 0;   // not yet across
    qint64 m_payload = 0; // payload not yet across
};

} // namespace swarmscope
