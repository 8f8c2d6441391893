#include "peer/PieceVerifier.h"

#include "clock/Scheduler.h"
#include "metainfo/Sha1.h"
#include "storage/ResumeData.h"

#include <QThreadPool>

namespace swarmscope {

namespace {

struct StoredPieces {
    QBitArray pieces;
    bool resumed = false;
};

// Which pieces on disk are valid: from the resume file when it loads (pieces of files unchanged since are
// trusted; files changed since, written after it by us before a crash or by anyone else, have every piece
// checked again), else by hashing everything.
StoredPieces checkStored(const PieceStore& storage, const QString& resumeFile,
                         const std::atomic<bool>* cancel, int threads) {
    StoredPieces found;
    if (!resumeFile.isEmpty() && storage.files()) {
        const ResumeLoadResult loaded = ResumeData::load(resumeFile, *storage.files());
        if (loaded.status.ok()) {
            found.pieces = loaded.pieces;
            if (loaded.recheck.count(true) > 0)
                found.pieces |= storage.verifyPieces(loaded.recheck, {}, cancel, threads);
            found.resumed = true;
            return found;
        }
    }
    found.pieces = storage.verifyAll({}, cancel, threads);
    return found;
}

} // namespace

PieceVerifier::PieceVerifier(std::shared_ptr<PieceStore> storage, QThreadPool* pool, Scheduler& scheduler,
                             QObject* parent)
    : QObject(parent), m_storage(std::move(storage)), m_pool(pool), m_scheduler(scheduler),
      m_mailbox(std::make_shared<Mailbox>()) {
    m_mailbox->target = this;
}

PieceVerifier::~PieceVerifier() {
    const std::lock_guard lock(m_mailbox->mutex);
    m_mailbox->target = nullptr;
}

void PieceVerifier::run(qint64 size, std::function<PieceCheckResult()> job) {
    ++m_pending;
    m_pendingBytes += size;
    if (size <= kInlineBytes || !m_pool) {
        PieceCheckResult result = job();
        m_scheduler.post(this, [this, result = std::move(result)]() mutable { deliver(std::move(result)); });
        return;
    }
    std::shared_ptr<Mailbox> mailbox = m_mailbox;
    m_pool->start([mailbox, job = std::move(job)]() mutable {
        PieceCheckResult result = job();
        // Posted under the lock that the destructor takes, so the verifier is alive while the event is
        // posted; if it is destroyed before the event runs, Qt discards the event.
        const std::lock_guard lock(mailbox->mutex);
        if (PieceVerifier* target = mailbox->target)
            QMetaObject::invokeMethod(
                target,
                [target, result = std::move(result)]() mutable { target->deliver(std::move(result)); },
                Qt::QueuedConnection);
    });
}

void PieceVerifier::checkDigest(int piece, const QByteArray& digest) {
    const bool valid = digest == m_storage->metainfo().pieceHash(piece);
    // Settled now, but it counts as pending until it is reported, like any other check.
    ++m_pending;
    m_pendingBytes += m_storage->layout().pieceSize(piece);
    PieceCheckResult result;
    result.piece = piece;
    result.state = valid ? PieceStore::PieceState::Valid : PieceStore::PieceState::HashMismatch;
    m_scheduler.post(this, [this, result]() mutable { deliver(std::move(result)); });
}

void PieceVerifier::checkOnDisk(int piece) {
    std::shared_ptr<PieceStore> storage = m_storage;
    run(storage->layout().pieceSize(piece), [storage, piece] {
        PieceCheckResult result;
        result.piece = piece;
        result.state = storage->checkPiece(piece);
        if (result.state == PieceStore::PieceState::IoError)
            result.status = StorageStatus::failure(StorageError::Io,
                                                   QStringLiteral("cannot read piece %1 back").arg(piece));
        return result;
    });
}

void PieceVerifier::checkAll(const QString& resumeFile, std::shared_ptr<std::atomic<bool>> cancel) {
    ++m_pending;
    std::shared_ptr<PieceStore> storage = m_storage;
    if (!m_pool) {
        // On this thread: the answer is still a posted call, at a defined point of the scheduler's time.
        const StoredPieces found = checkStored(*storage, resumeFile, cancel.get(), 1);
        m_scheduler.post(this, [this, found] { finishCheckAll(found.pieces, found.resumed); });
        return;
    }
    std::shared_ptr<Mailbox> mailbox = m_mailbox;
    m_pool->start([storage, mailbox, resumeFile, cancel] {
        const StoredPieces found = checkStored(*storage, resumeFile, cancel.get(), 0);
        const std::lock_guard lock(mailbox->mutex);
        if (PieceVerifier* target = mailbox->target)
            QMetaObject::invokeMethod(
                target, [target, found] { target->finishCheckAll(found.pieces, found.resumed); },
                Qt::QueuedConnection);
    });
}

void PieceVerifier::finishCheckAll(const QBitArray& pieces, bool resumed) {
    --m_pending;
    emit allChecked(pieces, resumed);
    if (m_pending == 0)
        emit idle();
}

void PieceVerifier::deliver(PieceCheckResult result) {
    --m_pending;
    m_pendingBytes -= m_storage->layout().pieceSize(result.piece);
    emit checked(result);
    if (m_pending == 0)
        emit idle();
}

} // namespace swarmscope
