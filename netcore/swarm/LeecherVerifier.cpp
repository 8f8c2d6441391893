#include "swarm/LeecherVerifier.h"

#include "storage/TorrentStorage.h"

#include <QThread>
#include <QThreadPool>

namespace swarmscope {

LeecherVerifier::LeecherVerifier(QThreadPool* pool, QObject* parent)
    : QObject(parent), m_pool(pool), m_cancel(std::make_shared<std::atomic<bool>>(false)) {}

LeecherVerifier::~LeecherVerifier() {
    cancel();
}

void LeecherVerifier::cancel() {
    m_cancel->store(true);
    m_cancel = std::make_shared<std::atomic<bool>>(false);
}

void LeecherVerifier::start(const QList<Job>& jobs) {
    const std::shared_ptr<std::atomic<bool>> cancelled = m_cancel;
    LeecherVerifier* self = this;
    m_pool->start([jobs, cancelled, self] {
        QList<LeecherVerification> results;
        results.reserve(jobs.size());
        const int threads = qMax(1, QThread::idealThreadCount());
        for (const Job& job : jobs) {
            if (cancelled->load())
                return;
            LeecherVerification result;
            result.peer = job.peer;
            result.dataDir = job.dataDir;
            result.pieceCount = job.metainfo.pieceCount();
            // A fresh storage reads the files as they are on disk now, whatever the client holds in memory; a
            // simulated peer's store tells which blocks arrived equal to the content checked against the
            // hashes.
            std::shared_ptr<const PieceStore> storage = job.store;
            if (!storage)
                storage = std::make_shared<TorrentStorage>(job.metainfo, job.dataDir);
            const QBitArray valid = storage->verifyAll({}, cancelled.get(), threads);
            result.validPieces = int(valid.count(true));
            result.verified = storage->layoutStatus().ok() && result.pieceCount > 0 &&
                              result.validPieces == result.pieceCount;
            results.append(result);
        }
        if (cancelled->load())
            return;
        // The owner cancels and waits for the pool before this object goes, so self is alive here; posting
        // to it from this thread is safe.
        QMetaObject::invokeMethod(
            self, [self, results] { emit self->finished(results); }, Qt::QueuedConnection);
    });
}

} // namespace swarmscope
