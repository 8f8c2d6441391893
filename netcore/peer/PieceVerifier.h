#pragma once

#include "storage/PieceStore.h"
#include "storage/StorageStatus.h"

#include <QBitArray>
#include <QByteArray>
#include <QObject>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

class QThreadPool;

namespace swarmscope {

class Scheduler;

struct PieceCheckResult {
    int piece = -1;
    PieceStore::PieceState state = PieceStore::PieceState::Missing;
    StorageStatus status; // why an IoError happened (the read-back)
};

// Checks complete pieces against their SHA-1 and reports on this object's thread. A piece hashed as its
// blocks arrived (PieceHasher) is settled by comparing its digest; one that could not be is read back from
// storage and hashed, off the network thread on the pool, or on the calling thread at once when there is no
// pool (simulated time) or the piece is small. Results always come back posted on the scheduler, so callers
// never see them re-entrantly and a simulated run repeats exactly.
//
// Jobs keep the storage alive; results for a verifier destroyed meanwhile are dropped.
class PieceVerifier : public QObject {
    Q_OBJECT
public:
    static constexpr qint64 kInlineBytes = 64 * 1024;

    PieceVerifier(std::shared_ptr<PieceStore> storage, QThreadPool* pool, Scheduler& scheduler,
                  QObject* parent = nullptr);
    ~PieceVerifier() override;

    // The piece's SHA-1 over the bytes received, computed as they came.
    void checkDigest(int piece, const QByteArray& digest);
    void checkOnDisk(int piece);
    // Which pieces on disk are valid, on the pool: from resumeFile when it loads (pieces of files unchanged
    // since are trusted, every piece of a file changed since is hashed again), else by hashing everything.
    // Setting *cancel stops it early.
    void checkAll(const QString& resumeFile, std::shared_ptr<std::atomic<bool>> cancel);
    int pending() const { return m_pending; }
    // Bytes of pieces waiting for or being checked: memory held by in-memory pieces, work queued for disk
    // ones. The session stops requesting while this is large, so a slow disk or CPU pushes back on the
    // network instead of filling memory.
    qint64 pendingBytes() const { return m_pendingBytes; }

signals:
    void checked(const swarmscope::PieceCheckResult& result);
    // checkAll()'s answer; resumed says the resume file was used.
    void allChecked(const QBitArray& pieces, bool resumed);
    // pending() dropped to zero.
    void idle();

private:
    void deliver(PieceCheckResult result);
    void finishCheckAll(const QBitArray& pieces, bool resumed);
    void run(qint64 size, std::function<PieceCheckResult()> job);

    // What pool jobs post their result to; cleared (under the lock) when the verifier goes away.
    struct Mailbox {
        std::mutex mutex;
        PieceVerifier* target = nullptr;
    };

    std::shared_ptr<PieceStore> m_storage;
    QThreadPool* m_pool;
    Scheduler& m_scheduler;
    std::shared_ptr<Mailbox> m_mailbox;
    int m_pending = 0;
    qint64 m_pendingBytes = 0;
};

} // namespace swarmscope

Q_DECLARE_METATYPE(swarmscope::PieceCheckResult)
