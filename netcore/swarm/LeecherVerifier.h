#pragma once

#include "metainfo/Metainfo.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

class QThreadPool;

namespace swarmscope {

class PieceStore;

struct LeecherVerification {
    int peer = 0;
    QString dataDir;
    int pieceCount = 0;
    int validPieces = 0;   // pieces whose data on disk hashes to the torrent's piece hash
    bool verified = false; // every piece did
};

// Checks leechers' downloaded data against the piece hashes, reading it back from disk, off the caller's
// thread: the lab's final word on whether a swarm delivered the file, independent of what the clients
// believe they have.
class LeecherVerifier : public QObject {
    Q_OBJECT
public:
    struct Job {
        int peer = 0;
        Metainfo metainfo;
        QString dataDir;
        // Where the peer's pieces are held when not in files (simulated time); null: read dataDir's files.
        std::shared_ptr<const PieceStore> store;
    };

    // pool: where the checks run; not owned, and it must be waited for (after cancel()) before this goes.
    explicit LeecherVerifier(QThreadPool* pool, QObject* parent = nullptr);
    ~LeecherVerifier() override;

    // One run at a time; a second start() while one runs is queued behind it on the pool.
    void start(const QList<Job>& jobs);
    // Makes running checks stop soon; their leechers count as not verified and no result is emitted.
    void cancel();

signals:
    void finished(const QList<swarmscope::LeecherVerification>& results);

private:
    QThreadPool* m_pool;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

} // namespace swarmscope

Q_DECLARE_METATYPE(swarmscope::LeecherVerification)
