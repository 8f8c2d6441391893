#include "metainfo/TorrentCreator.h"

#include "bencode/Bencode.h"
#include "metainfo/Metainfo.h"
#include "metainfo/PieceSize.h"
#include "metainfo/Sha1.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#ifdef Q_OS_LINUX
#include <fcntl.h>
#endif

namespace swarmscope {

bool TorrentCreateResult::isInputError() const {
    switch (errorKind) {
    case TorrentCreateError::None:
    case TorrentCreateError::ChangedWhileHashing:
    case TorrentCreateError::ReadFailed:
        return false;
    default:
        return true;
    }
}

namespace {

namespace fs = std::filesystem;

// Reads are this large so the buffer stays in the core's L2 cache while SHA-1 reads it back; copying from
// the page cache into a cache-resident buffer measured faster here than hashing straight from mmap, and a
// file truncated under a mapping would kill the process with SIGBUS.
constexpr qint64 kReadBlock = 256 * 1024;
// Work is handed out in runs of consecutive pieces: long enough for the kernel's read-ahead on a cold
// cache, short enough that no thread is left with a long tail at the end.
constexpr qint64 kMaxChunkBytes = 4LL * 1024 * 1024;
constexpr auto kProgressInterval = std::chrono::milliseconds(100);
constexpr int kMaxThreads = 64;

struct Failure {
    TorrentCreateError kind = TorrentCreateError::None;
    QString message;
};

Failure failure(TorrentCreateError kind, const QString& what, const QString& where) {
    return {kind, QStringLiteral("%1 (%2)").arg(what, where)};
}

QString systemMessage(const std::error_code& ec) {
    return QString::fromLocal8Bit(ec.message().c_str());
}

struct SourceFile {
    QString path;                 // where to open it
    QList<QByteArray> components; // UTF-8 path below the torrent's directory; empty for a single file
    QByteArray sortKey;           // components joined with '/'
    qint64 length = 0;
    qint64 offset = 0; // of its first byte in the torrent's concatenated data
};

struct Source {
    QByteArray name;
    bool multiFile = false;
    std::vector<SourceFile> files;
    QStringList skipped;
    qint64 totalSize = 0;
};

fs::path toFsPath(const QString& path) {
#ifdef Q_OS_WIN
    return fs::path(path.toStdWString());
#else
    return fs::path(QFile::encodeName(path).toStdString());
#endif
}

QByteArray nameBytes(const fs::path& name) {
#ifdef Q_OS_WIN
    const std::u8string s = name.u8string();
    return QByteArray(reinterpret_cast<const char*>(s.data()), qsizetype(s.size()));
#else
    // The raw bytes: QDir would have decoded them already and could not tell a broken name from a good one.
    return QByteArray::fromStdString(name.native());
#endif
}

// Walks a directory with std::filesystem rather than QDirIterator, which silently skips what it cannot
// list: a torrent missing an unreadable subdirectory would look complete.
std::optional<Failure> scanDirectory(const QString& root, const std::atomic<bool>& cancelled,
                                     Source* source) {
    struct Pending {
        fs::path dir;
        QString path;
        QList<QByteArray> components;
    };
    std::vector<Pending> pending{{toFsPath(root), root, {}}};
    while (!pending.empty()) {
        const Pending current = std::move(pending.back());
        pending.pop_back();
        std::error_code ec;
        fs::directory_iterator it(current.dir, ec);
        for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
            if (cancelled.load(std::memory_order_relaxed))
                return Failure{};
            const fs::directory_entry& entry = *it;
            const QByteArray name = nameBytes(entry.path().filename());
            if (!name.isValidUtf8())
                return failure(TorrentCreateError::UnsupportedPath,
                               QStringLiteral("file name is not valid UTF-8"),
                               current.path + QLatin1Char('/') + QFile::decodeName(name));
            const QString path = current.path + QLatin1Char('/') + QString::fromUtf8(name);
            QList<QByteArray> components = current.components;
            components.append(name);
            const QByteArray relative = components.join('/');

            std::error_code statError;
            const fs::file_status status = entry.symlink_status(statError);
            if (statError)
                return failure(TorrentCreateError::Unreadable,
                               QStringLiteral("cannot read file status: %1").arg(systemMessage(statError)),
                               path);
            if (fs::is_directory(status)) {
                pending.push_back({entry.path(), path, components});
            } else if (fs::is_regular_file(status)) {
                const auto size = entry.file_size(statError);
                if (statError)
                    return failure(TorrentCreateError::Unreadable,
                                   QStringLiteral("cannot read file size: %1").arg(systemMessage(statError)),
                                   path);
                source->files.push_back({path, components, relative, qint64(size), 0});
            } else {
                source->skipped.append(QString::fromUtf8(relative));
            }
        }
        if (ec)
            return failure(TorrentCreateError::Unreadable,
                           QStringLiteral("cannot list directory: %1").arg(systemMessage(ec)), current.path);
    }
    if (source->files.empty())
        return failure(TorrentCreateError::NoData, QStringLiteral("directory holds no regular files"), root);
    // mktorrent orders by strcmp over the whole relative path, so "a-b/x" comes before "a/x" ('-' < '/'):
    // sorting by path components would give a different info-hash.
    std::sort(source->files.begin(), source->files.end(),
              [](const SourceFile& a, const SourceFile& b) { return a.sortKey < b.sortKey; });
    return std::nullopt;
}

std::optional<Failure> scanSource(const QString& inputPath, const std::atomic<bool>& cancelled,
                                  Source* source) {
    if (inputPath.isEmpty())
        return Failure{TorrentCreateError::InvalidOptions,
                       QStringLiteral("no file or directory given (path)")};
    const QString root = QDir::cleanPath(QFileInfo(inputPath).absoluteFilePath());
    const QString name = QFileInfo(root).fileName();
    if (name.isEmpty())
        return failure(TorrentCreateError::UnsupportedPath,
                       QStringLiteral("a torrent cannot be named after the file system root"), root);
    source->name = name.toUtf8();

    std::error_code ec;
    const fs::file_status status = fs::status(toFsPath(root), ec);
    if (ec || !fs::exists(status)) {
        if (!ec || ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory)
            return failure(TorrentCreateError::PathNotFound, QStringLiteral("no such file or directory"),
                           root);
        return failure(TorrentCreateError::Unreadable,
                       QStringLiteral("cannot access: %1").arg(systemMessage(ec)), root);
    }
    if (fs::is_regular_file(status)) {
        const QFileInfo info(root);
        source->files.push_back({root, {}, {}, info.size(), 0});
        if (info.size() == 0)
            return failure(TorrentCreateError::NoData, QStringLiteral("file is empty"), root);
    } else if (fs::is_directory(status)) {
        source->multiFile = true;
        if (auto problem = scanDirectory(root, cancelled, source))
            return problem;
    } else {
        return failure(TorrentCreateError::UnsupportedPath, QStringLiteral("not a regular file or directory"),
                       root);
    }

    for (SourceFile& file : source->files) {
        if (file.length > std::numeric_limits<qint64>::max() - source->totalSize)
            return failure(TorrentCreateError::TooLarge, QStringLiteral("total size overflows"), root);
        file.offset = source->totalSize;
        source->totalSize += file.length;
    }
    if (source->totalSize == 0)
        return failure(TorrentCreateError::NoData, QStringLiteral("every file in the directory is empty"),
                       root);
    return std::nullopt;
}

// Hashes the concatenated files piece by piece on several threads. Each thread takes the next run of
// pieces, reads it sequentially into its own buffer, and feeds SHA-1, cutting at piece boundaries; a piece
// that spans files simply gets data from two reads.
class PieceHasher {
public:
    PieceHasher(const Source& source, qint64 pieceLength, int pieceCount, int threads,
                const std::atomic<bool>& cancelled)
        : m_files(source.files), m_totalSize(source.totalSize), m_pieceLength(pieceLength),
          m_pieceCount(pieceCount), m_cancelled(cancelled), m_pieces(qsizetype(pieceCount) * 20, '\0') {
        const qint64 wanted = m_totalSize / (qint64(threads) * 8);
        const qint64 chunkBytes = qBound(pieceLength, wanted, qMax(pieceLength, kMaxChunkBytes));
        m_piecesPerChunk = qMax<qint64>(1, chunkBytes / pieceLength);
        m_chunkCount = (pieceCount + m_piecesPerChunk - 1) / m_piecesPerChunk;
        m_pieceData = m_pieces.data(); // detach once, before any thread writes into it
    }

    qint64 chunkCount() const { return m_chunkCount; }
    qint64 hashedBytes() const { return m_hashed.load(std::memory_order_relaxed); }
    const QByteArray& pieces() const { return m_pieces; }
    std::optional<Failure> failure() const {
        std::lock_guard lock(m_failureMutex);
        return m_failure;
    }

    // Makes every thread return after its current block.
    void stop() { m_stop.store(true); }

    // The body of one hashing thread.
    void work() {
        Worker worker(*this);
        worker.run();
    }

private:
    bool shouldStop() const {
        return m_stop.load(std::memory_order_relaxed) || m_cancelled.load(std::memory_order_relaxed);
    }

    void fail(Failure problem) {
        std::lock_guard lock(m_failureMutex);
        if (!m_failure)
            m_failure = std::move(problem);
        m_stop.store(true);
    }

    // Index of the file that holds byte pos of the concatenated data (empty files hold none).
    size_t fileAt(qint64 pos) const {
        const auto it =
            std::upper_bound(m_files.begin(), m_files.end(), pos,
                             [](qint64 p, const SourceFile& f) { return p < f.offset + f.length; });
        return size_t(it - m_files.begin());
    }

    class Worker {
    public:
        explicit Worker(PieceHasher& owner) : m_owner(owner), m_buffer(kReadBlock, Qt::Uninitialized) {}
        ~Worker() { closeFile(); }

        void run() {
            for (;;) {
                const qint64 chunk = m_owner.m_nextChunk.fetch_add(1);
                if (chunk >= m_owner.m_chunkCount || m_owner.shouldStop() || !hashChunk(chunk))
                    return;
            }
        }

    private:
        bool hashChunk(qint64 chunk) {
            const PieceHasher& o = m_owner;
            qint64 piece = chunk * o.m_piecesPerChunk;
            const qint64 endPiece = qMin<qint64>(piece + o.m_piecesPerChunk, o.m_pieceCount);
            qint64 pos = piece * o.m_pieceLength;
            const qint64 end = qMin(endPiece * o.m_pieceLength, o.m_totalSize);
            qint64 pieceEnd = qMin(pos + o.m_pieceLength, o.m_totalSize);
            size_t fileIndex = o.fileAt(pos);
            while (pos < end) {
                const SourceFile& file = o.m_files[fileIndex];
                const qint64 fileEnd = file.offset + file.length;
                if (pos >= fileEnd) {
                    ++fileIndex;
                    continue;
                }
                if (!openFile(fileIndex))
                    return false;
                const qint64 n = qMin(qMin(kReadBlock, fileEnd - pos), end - pos);
                if (!readFully(file, pos - file.offset, n))
                    return false;
                const char* data = m_buffer.constData();
                for (qint64 left = n; left > 0;) {
                    const qint64 take = qMin(left, pieceEnd - pos);
                    m_hasher.add(data, take);
                    data += take;
                    left -= take;
                    pos += take;
                    if (pos == pieceEnd) {
                        const QByteArray digest = m_hasher.result();
                        memcpy(m_owner.m_pieceData + piece * 20, digest.constData(), 20);
                        ++piece;
                        pieceEnd = qMin(pos + o.m_pieceLength, o.m_totalSize);
                    }
                }
                m_owner.m_hashed.fetch_add(n, std::memory_order_relaxed);
                if (m_owner.shouldStop())
                    return false;
            }
            return true;
        }

        bool openFile(size_t index) {
            if (m_file.isOpen() && m_fileIndex == index)
                return true;
            if (!closeFile())
                return false;
            const SourceFile& source = m_owner.m_files[index];
            m_file.setFileName(source.path);
            // Unbuffered: QFile's own buffer would only add a copy in front of ours.
            if (!m_file.open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
                m_owner.fail(swarmscope::failure(
                    TorrentCreateError::Unreadable,
                    QStringLiteral("cannot open file: %1").arg(m_file.errorString()), source.path));
                return false;
            }
            m_fileIndex = index;
#ifdef Q_OS_LINUX
            // Doubles the read-ahead window, which matters when the data is not in the page cache yet.
            ::posix_fadvise(m_file.handle(), 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
            return checkSize();
        }

        // A file that grew or shrank since the scan would give pieces that match neither version of it.
        bool checkSize() {
            const SourceFile& source = m_owner.m_files[m_fileIndex];
            const qint64 now = m_file.size();
            if (now == source.length)
                return true;
            m_owner.fail(swarmscope::failure(
                TorrentCreateError::ChangedWhileHashing,
                QStringLiteral("file changed size while hashing: %1 bytes at the start, %2 now")
                    .arg(source.length)
                    .arg(now),
                source.path));
            return false;
        }

        bool closeFile() {
            if (!m_file.isOpen())
                return true;
            const bool ok = checkSize();
            m_file.close();
            return ok;
        }

        bool readFully(const SourceFile& source, qint64 offset, qint64 size) {
            if (m_file.pos() != offset && !m_file.seek(offset)) {
                m_owner.fail(swarmscope::failure(TorrentCreateError::ReadFailed,
                                                 QStringLiteral("seek failed: %1").arg(m_file.errorString()),
                                                 source.path));
                return false;
            }
            for (qint64 done = 0; done < size;) {
                const qint64 n = m_file.read(m_buffer.data() + done, size - done);
                if (n < 0) {
                    m_owner.fail(swarmscope::failure(
                        TorrentCreateError::ReadFailed,
                        QStringLiteral("read failed: %1").arg(m_file.errorString()), source.path));
                    return false;
                }
                if (n == 0) {
                    m_owner.fail(swarmscope::failure(
                        TorrentCreateError::ChangedWhileHashing,
                        QStringLiteral("file changed size while hashing: it ended before byte %1 of %2")
                            .arg(offset + done)
                            .arg(source.length),
                        source.path));
                    return false;
                }
                done += n;
            }
            return true;
        }

        PieceHasher& m_owner;
        QByteArray m_buffer;
        Sha1Hasher m_hasher;
        QFile m_file;
        size_t m_fileIndex = 0;
    };

    const std::vector<SourceFile>& m_files;
    const qint64 m_totalSize;
    const qint64 m_pieceLength;
    const int m_pieceCount;
    const std::atomic<bool>& m_cancelled;
    qint64 m_piecesPerChunk = 1;
    qint64 m_chunkCount = 0;
    QByteArray m_pieces;
    char* m_pieceData = nullptr;
    std::atomic<qint64> m_nextChunk{0};
    std::atomic<qint64> m_hashed{0};
    std::atomic<bool> m_stop{false};
    mutable std::mutex m_failureMutex;
    std::optional<Failure> m_failure;
};

std::optional<Failure> checkOptions(const TorrentCreateOptions& options) {
    QString why;
    if (options.pieceLength != 0 && !isValidPieceLength(options.pieceLength, &why))
        return Failure{TorrentCreateError::InvalidOptions, why + QStringLiteral(" (piece size)")};
    if (options.threads < 0)
        return Failure{
            TorrentCreateError::InvalidOptions,
            QStringLiteral("thread count must not be negative, not %1 (threads)").arg(options.threads)};
    for (qsizetype i = 0; i < options.trackers.size(); ++i) {
        if (options.trackers[i].trimmed().isEmpty())
            return Failure{TorrentCreateError::InvalidOptions,
                           QStringLiteral("tracker URL is empty (tracker %1)").arg(i + 1)};
    }
    return std::nullopt;
}

BencodeValue buildInfo(const Source& source, qint64 pieceLength, const QByteArray& pieces, bool isPrivate) {
    BencodeValue info = BencodeValue::dictionary();
    if (source.multiFile) {
        BencodeValue::List files;
        files.reserve(qsizetype(source.files.size()));
        for (const SourceFile& file : source.files) {
            BencodeValue::List path;
            for (const QByteArray& component : file.components)
                path.append(BencodeValue(component));
            BencodeValue entry = BencodeValue::dictionary();
            entry.insert("length", file.length);
            entry.insert("path", BencodeValue(path));
            files.append(entry);
        }
        info.insert("files", BencodeValue(files));
    } else {
        info.insert("length", source.totalSize);
    }
    info.insert("name", source.name);
    info.insert("piece length", pieceLength);
    info.insert("pieces", pieces);
    if (isPrivate)
        info.insert("private", 1);
    return info;
}

} // namespace

TorrentCreator::TorrentCreator(TorrentCreateOptions options) : m_options(std::move(options)) {}

void TorrentCreator::cancel() {
    m_cancelled.store(true);
    // Taking the lock orders the store before run()'s check of the flag, so the wakeup cannot be lost.
    { std::lock_guard lock(m_mutex); }
    m_wake.notify_all();
}

TorrentCreateResult TorrentCreator::run(const TorrentCreateProgress& progress) {
    TorrentCreateResult result;
    const auto finish = [&](std::optional<Failure> problem) {
        if (m_cancelled.load()) {
            result.cancelled = true;
        } else if (problem) {
            result.errorKind = problem->kind;
            result.error = problem->message;
        }
        if (!result.ok()) {
            result.torrent.clear();
            result.infoHash.clear();
        }
        return result;
    };
    if (m_cancelled.load())
        return finish(std::nullopt);
    if (auto problem = checkOptions(m_options))
        return finish(problem);

    Source source;
    if (auto problem = scanSource(m_options.path, m_cancelled, &source))
        return finish(problem);
    result.name = QString::fromUtf8(source.name);
    result.totalSize = source.totalSize;
    result.fileCount = int(source.files.size());
    result.skipped = source.skipped;

    const qint64 pieceLength =
        m_options.pieceLength != 0 ? m_options.pieceLength : automaticPieceLength(source.totalSize);
    const qint64 pieceCount = source.totalSize / pieceLength + (source.totalSize % pieceLength != 0 ? 1 : 0);
    const MetainfoLimits limits;
    if (pieceCount * 20 > limits.maxTorrentBytes)
        return finish(
            Failure{TorrentCreateError::TooLarge,
                    QStringLiteral("%1 pieces would make the torrent larger than %2; choose a larger "
                                   "piece size (piece size %3)")
                        .arg(pieceCount)
                        .arg(formatByteSize(limits.maxTorrentBytes), formatByteSize(pieceLength))});
    result.pieceLength = pieceLength;
    result.pieceCount = int(pieceCount);

    // One thread more than cores: each thread blocks in read() now and then (always, on a cold cache), and
    // on a busy machine the spare one keeps our share of the cores. On an idle machine it costs nothing
    // measurable (docs/BENCHMARKS.md).
    int threads =
        m_options.threads > 0 ? m_options.threads : int(qMax(1u, std::thread::hardware_concurrency())) + 1;
    PieceHasher hasher(source, pieceLength, int(pieceCount), qMax(1, threads), m_cancelled);
    threads = int(qBound(qint64(1), qint64(threads), qMin(hasher.chunkCount(), qint64(kMaxThreads))));

    if (progress)
        progress(0, source.totalSize);
    if (m_cancelled.load())
        return finish(std::nullopt);
    std::atomic<int> running{0};
    std::vector<std::thread> workers;
    workers.reserve(size_t(threads));
    // Should the progress callback throw, the threads still stop and are joined before the stack unwinds
    // past what they use.
    struct JoinOnExit {
        PieceHasher& hasher;
        std::vector<std::thread>& workers;
        ~JoinOnExit() {
            hasher.stop();
            for (std::thread& worker : workers)
                if (worker.joinable())
                    worker.join();
        }
    } joinOnExit{hasher, workers};
    for (int i = 0; i < threads; ++i) {
        running.fetch_add(1);
        try {
            workers.emplace_back([&] {
                hasher.work();
                {
                    std::lock_guard lock(m_mutex);
                    running.fetch_sub(1);
                }
                m_wake.notify_all();
            });
        } catch (const std::system_error&) {
            // A process running a large lab can hit its thread limit; hash with the threads there are.
            running.fetch_sub(1);
            break;
        }
    }
    if (workers.empty())
        hasher.work();
    qint64 reported = 0;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_for(lock, kProgressInterval,
                            [&] { return running.load() == 0 || m_cancelled.load() || hasher.failure(); });
        }
        const bool done = running.load() == 0 || m_cancelled.load() || hasher.failure();
        // The callback runs without the lock held: it may call cancel().
        if (progress && !done && hasher.hashedBytes() > reported) {
            reported = hasher.hashedBytes();
            progress(reported, source.totalSize);
        }
        if (done)
            break;
    }
    for (std::thread& worker : workers)
        worker.join();
    if (m_cancelled.load() || hasher.failure())
        return finish(hasher.failure());

    // Hashing never opens empty files, so only a fresh look shows whether one of them grew meanwhile.
    for (const SourceFile& file : source.files) {
        if (file.length == 0 && QFileInfo(file.path).size() != 0)
            return finish(failure(
                TorrentCreateError::ChangedWhileHashing,
                QStringLiteral("file changed size while hashing: it was empty at the start"), file.path));
    }
    if (progress && reported < source.totalSize)
        progress(source.totalSize, source.totalSize);

    const BencodeValue info = buildInfo(source, pieceLength, hasher.pieces(), m_options.isPrivate);
    BencodeValue torrent = BencodeValue::dictionary();
    if (!m_options.trackers.isEmpty())
        torrent.insert("announce", m_options.trackers.first().trimmed().toUtf8());
    if (m_options.trackers.size() > 1) {
        BencodeValue::List tiers;
        for (const QString& tracker : m_options.trackers)
            tiers.append(BencodeValue(BencodeValue::List{BencodeValue(tracker.trimmed().toUtf8())}));
        torrent.insert("announce-list", BencodeValue(tiers));
    }
    if (!m_options.comment.isEmpty())
        torrent.insert("comment", m_options.comment.toUtf8());
    if (!m_options.createdBy.isEmpty())
        torrent.insert("created by", m_options.createdBy.toUtf8());
    if (m_options.includeDate)
        torrent.insert("creation date", QDateTime::currentSecsSinceEpoch());
    torrent.insert("info", info);
    result.torrent = bencodeEncode(torrent);
    if (result.torrent.size() > limits.maxTorrentBytes)
        return finish(Failure{TorrentCreateError::TooLarge,
                              QStringLiteral("the torrent would be larger than %1 (%2 files)")
                                  .arg(formatByteSize(limits.maxTorrentBytes))
                                  .arg(result.fileCount)});
    // Canonical encoding is a function of the value, so these are the bytes the file holds under "info".
    result.infoHash = sha1(bencodeEncode(info));
    return finish(std::nullopt);
}

} // namespace swarmscope
