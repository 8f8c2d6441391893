#include "storage/TorrentStorage.h"

#include <QFileInfo>

#include "metainfo/Sha1.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QThread>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace swarmscope {

namespace {

// Large enough that hashing, not system calls, dominates; small enough that a 512 MiB piece does not need
// 512 MiB of memory per thread.
constexpr qint64 ReadChunk = 4 * 1024 * 1024;

QString where(const QString& path) {
    return QStringLiteral(" (") + path + QStringLiteral(")");
}

bool isSafeRelativePath(const QString& path) {
    if (path.isEmpty() || path.startsWith(u'/'))
        return false;
    const QStringList parts = path.split(u'/');
    return std::none_of(parts.begin(), parts.end(),
                        [](const QString& part) { return part.isEmpty() || part == u"." || part == u".."; });
}

} // namespace

TorrentStorage::TorrentStorage(const Metainfo& metainfo, const QString& downloadDir,
                               std::shared_ptr<FileHandleCache> handles)
    : m_metainfo(metainfo), m_layout(PieceLayout::fromMetainfo(metainfo)),
      m_downloadDir(QDir::cleanPath(QDir(downloadDir).absolutePath())), m_confinement(m_downloadDir),
      m_handles(handles ? std::move(handles) : std::make_shared<FileHandleCache>()) {
    m_layoutStatus = checkLayout();
}

TorrentStorage::~TorrentStorage() {
    m_handles->evictOwner(this);
}

StorageStatus TorrentStorage::checkLayout() const {
    const auto bad = [](const QString& what) {
        return StorageStatus::failure(StorageError::BadLayout, what);
    };
    if (m_metainfo.files.isEmpty())
        return bad(QStringLiteral("torrent has no files"));
    if (!m_layout.isValid())
        return bad(
            QStringLiteral("torrent has a negative file length, a bad piece length or too many pieces"));
    if (m_layout.totalSize() != m_metainfo.totalSize)
        return bad(QStringLiteral("file lengths add up to %1 bytes, the torrent says %2")
                       .arg(m_layout.totalSize())
                       .arg(m_metainfo.totalSize));
    if (m_metainfo.pieces.size() % 20 != 0 || m_layout.pieceCount() != m_metainfo.pieceCount())
        return bad(QStringLiteral("torrent has %1 bytes of piece hashes, its %2 pieces need %3")
                       .arg(m_metainfo.pieces.size())
                       .arg(m_layout.pieceCount())
                       .arg(qint64(m_layout.pieceCount()) * 20));
    for (const TorrentFile& file : m_metainfo.files)
        if (!isSafeRelativePath(file.path))
            return StorageStatus::failure(StorageError::UnsafePath,
                                          QStringLiteral("file path is not a safe relative path") +
                                              where(file.path));
    return {};
}

QString TorrentStorage::filePath(int file) const {
    if (file < 0 || file >= m_metainfo.files.size())
        return {};
    return m_downloadDir + u'/' + m_metainfo.files[file].path;
}

StorageStatus TorrentStorage::open(OpenMode mode) {
    close();
    if (!m_layoutStatus.ok())
        return m_layoutStatus;
    const StorageStatus status = mode == OpenMode::ReadOnly ? openReadOnly() : openReadWrite();
    if (status.ok()) {
        m_mode = mode;
        m_open = true;
    }
    return status;
}

void TorrentStorage::close() {
    m_handles->evictOwner(this);
    m_open = false;
    m_mode = OpenMode::ReadOnly;
}

StorageStatus TorrentStorage::openReadOnly() {
    for (int i = 0; i < m_metainfo.files.size(); ++i) {
        const QString path = filePath(i);
        struct stat info {};
        if (::stat(QFile::encodeName(path).constData(), &info) != 0)
            return systemFailure(errno, QStringLiteral("checking the file"), path);
        if (!S_ISREG(info.st_mode))
            return StorageStatus::failure(StorageError::WrongSize,
                                          QStringLiteral("not a regular file") + where(path));
        if (qint64(info.st_size) != m_metainfo.files[i].length)
            return StorageStatus::failure(StorageError::WrongSize,
                                          QStringLiteral("file has %1 bytes, the torrent says %2")
                                                  .arg(qint64(info.st_size))
                                                  .arg(m_metainfo.files[i].length) +
                                              where(path));
    }
    return {};
}

StorageStatus TorrentStorage::openReadWrite() {
    if (StorageStatus status = m_confinement.prepareRoot(); !status.ok())
        return status;
    for (int i = 0; i < m_metainfo.files.size(); ++i) {
        const TorrentFile& file = m_metainfo.files[i];
        const PathConfinement::Resolved resolved = m_confinement.resolve(file.path, true);
        if (!resolved.status.ok())
            return resolved.status;
        const int fd = ::open(QFile::encodeName(resolved.path).constData(),
                              O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0)
            return systemFailure(errno, QStringLiteral("creating the file"), filePath(i));
        const FileHandle handle(fd, true);
        struct stat info {};
        if (::fstat(fd, &info) != 0)
            return systemFailure(errno, QStringLiteral("checking the file"), filePath(i));
        if (!S_ISREG(info.st_mode))
            return StorageStatus::failure(StorageError::Io,
                                          QStringLiteral("not a regular file") + where(filePath(i)));
        // ftruncate grows sparsely, so a 4 GiB download costs no space until the data arrives. A file longer
        // than the torrent's is cut: bytes past the end would never be verified or served.
        if (qint64(info.st_size) != file.length && ::ftruncate(fd, off_t(file.length)) != 0)
            return systemFailure(errno, QStringLiteral("setting the file size"), filePath(i));
    }
    return {};
}

StorageStatus TorrentStorage::outOfRange(int piece, qint64 offset, qint64 length) const {
    return StorageStatus::failure(
        StorageError::OutOfRange,
        QStringLiteral("block out of range (piece %1, offset %2, length %3; the torrent "
                       "has %4 pieces of %5 bytes)")
            .arg(piece)
            .arg(offset)
            .arg(length)
            .arg(m_layout.pieceCount())
            .arg(m_layout.pieceLength()));
}

FileHandleCache::Handle TorrentStorage::handleFor(int file, bool forWriting, StorageStatus* status) const {
    if (FileHandleCache::Handle cached = m_handles->find(this, file, forWriting))
        return cached;
    // A writable storage opens read-write even to read, so one descriptor per file serves both directions.
    const bool writable = forWriting || (m_open && m_mode == OpenMode::ReadWrite);
    int fd = -1;
    if (writable) {
        // Resolved again on every open, not only in open(), so a link planted since then is still caught.
        const PathConfinement::Resolved resolved = m_confinement.resolve(m_metainfo.files[file].path, false);
        if (!resolved.status.ok()) {
            *status = resolved.status;
            return {};
        }
        fd = ::open(QFile::encodeName(resolved.path).constData(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    } else {
        fd = ::open(QFile::encodeName(filePath(file)).constData(), O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        *status = systemFailure(errno, QStringLiteral("opening the file"), filePath(file));
        return {};
    }
    return m_handles->insert(this, file, std::make_shared<const FileHandle>(fd, writable));
}

StorageStatus TorrentStorage::readBlockInto(int piece, qint64 offset, qint64 length, char* out) const {
    if (!m_layoutStatus.ok())
        return m_layoutStatus;
    if (!m_layout.contains(piece, offset, length))
        return outOfRange(piece, offset, length);
    qint64 done = 0;
    for (const FileSpan& span : m_layout.map(piece, offset, length)) {
        StorageStatus status;
        const FileHandleCache::Handle handle = handleFor(span.fileIndex, false, &status);
        if (!handle)
            return status;
        const qint64 n = handle->readAt(span.fileOffset, out + done, span.length);
        if (n < 0)
            return systemFailure(errno, QStringLiteral("reading"), filePath(span.fileIndex));
        if (n < span.length)
            return StorageStatus::failure(StorageError::WrongSize,
                                          QStringLiteral("file is shorter than the torrent says") +
                                              where(filePath(span.fileIndex)));
        done += n;
    }
    return {};
}

TorrentStorage::BlockRead TorrentStorage::readBlock(int piece, qint64 offset, qint64 length) const {
    if (!m_layoutStatus.ok())
        return {{}, m_layoutStatus};
    // Checked before allocating, so a hostile length cannot make us reserve gigabytes.
    if (!m_layout.contains(piece, offset, length))
        return {{}, outOfRange(piece, offset, length)};
    BlockRead result{QByteArray(length, Qt::Uninitialized), {}};
    result.status = readBlockInto(piece, offset, length, result.data.data());
    if (!result.status.ok())
        result.data.clear();
    return result;
}

StorageStatus TorrentStorage::writeBlock(int piece, qint64 offset, const QByteArray& data) {
    return writeBlock(piece, offset, data.constData(), data.size());
}

StorageStatus TorrentStorage::writeBlock(int piece, qint64 offset, const char* data, qint64 length) {
    if (!m_layoutStatus.ok())
        return m_layoutStatus;
    if (!m_open || m_mode != OpenMode::ReadWrite)
        return StorageStatus::failure(StorageError::NotWritable,
                                      QStringLiteral("storage is not open for writing") +
                                          where(m_downloadDir));
    if (!m_layout.contains(piece, offset, length))
        return outOfRange(piece, offset, length);
    qint64 done = 0;
    for (const FileSpan& span : m_layout.map(piece, offset, length)) {
        StorageStatus status;
        const FileHandleCache::Handle handle = handleFor(span.fileIndex, true, &status);
        if (!handle)
            return status;
        if (!handle->writeAt(span.fileOffset, data + done, span.length))
            return systemFailure(errno, QStringLiteral("writing"), filePath(span.fileIndex));
        done += span.length;
    }
    return {};
}

TorrentStorage::PieceState TorrentStorage::hashPiece(int piece, QByteArray& buffer) const {
    const qint64 size = m_layout.pieceSize(piece);
    if (size <= 0)
        return PieceState::Missing;
    const qint64 chunk = std::min(m_layout.pieceLength(), ReadChunk);
    if (buffer.size() < chunk)
        buffer.resize(chunk); // kept by the caller across pieces, so each worker allocates once
    Sha1Hasher hasher;
    for (const FileSpan& span : m_layout.mapPiece(piece)) {
        StorageStatus status;
        const FileHandleCache::Handle handle = handleFor(span.fileIndex, false, &status);
        if (!handle)
            return status.error == StorageError::FileMissing ? PieceState::Missing : PieceState::IoError;
        for (qint64 done = 0; done < span.length;) {
            const qint64 want = std::min(span.length - done, qint64(buffer.size()));
            const qint64 n = handle->readAt(span.fileOffset + done, buffer.data(), want);
            if (n < 0)
                return PieceState::IoError;
            if (n < want)
                return PieceState::Missing;
            hasher.add(buffer.constData(), n);
            done += n;
        }
    }
    return hasher.result() == m_metainfo.pieceHash(piece) ? PieceState::Valid : PieceState::HashMismatch;
}

bool TorrentStorage::hasExistingData() const {
    for (int i = 0; i < m_metainfo.files.size(); ++i) {
        const QFileInfo info(filePath(i));
        if (!m_metainfo.files[i].padding && info.exists() && info.size() > 0)
            return true;
    }
    return false;
}

TorrentStorage::PieceState TorrentStorage::checkPiece(int piece) const {
    if (!m_layoutStatus.ok() || piece < 0 || piece >= m_layout.pieceCount())
        return PieceState::Missing;
    QByteArray buffer;
    return hashPiece(piece, buffer);
}

QBitArray TorrentStorage::verifyAll(const VerifyProgress& progress, const std::atomic<bool>* cancel,
                                    int threads) const {
    const int total = m_layoutStatus.ok() ? m_layout.pieceCount() : m_metainfo.pieceCount();
    return verifyPieces(QBitArray(total, true), progress, cancel, threads);
}

QBitArray TorrentStorage::verifyPieces(const QBitArray& which, const VerifyProgress& progress,
                                       const std::atomic<bool>* cancel, int threads) const {
    const int pieceCount = m_layoutStatus.ok() ? m_layout.pieceCount() : m_metainfo.pieceCount();
    QBitArray result(pieceCount);
    std::vector<int> pieces;
    if (m_layoutStatus.ok())
        for (int i = 0; i < pieceCount && i < which.size(); ++i)
            if (which.testBit(i))
                pieces.push_back(i);
    const int total = int(pieces.size());
    if (total == 0) {
        if (progress)
            progress(0, total);
        return result;
    }
    // One byte per piece: QBitArray packs eight pieces per byte, so workers writing it directly would race.
    std::vector<char> valid(size_t(pieceCount), 0);
    std::atomic<int> next{0};
    std::atomic<int> checked{0};
    const auto work = [&](bool reporter) {
        QByteArray buffer;
        QElapsedTimer sinceReport;
        sinceReport.start();
        for (;;) {
            if (cancel && cancel->load(std::memory_order_relaxed))
                return;
            const int index = next.fetch_add(1, std::memory_order_relaxed);
            if (index >= total)
                return;
            const int piece = pieces[size_t(index)];
            valid[size_t(piece)] = hashPiece(piece, buffer) == PieceState::Valid;
            checked.fetch_add(1, std::memory_order_relaxed);
            if (reporter && progress && sinceReport.elapsed() >= 100) {
                progress(checked.load(std::memory_order_relaxed), total);
                sinceReport.restart();
            }
        }
    };

    const int wanted = threads > 0 ? threads : std::max(1, QThread::idealThreadCount());
    std::vector<std::thread> workers;
    for (int i = 1; i < std::min(wanted, total); ++i) {
        try {
            workers.emplace_back(work, false);
        } catch (const std::system_error&) {
            break; // out of threads: the ones already running, and this one, still finish the job
        }
    }
    work(true);
    for (std::thread& worker : workers)
        worker.join();

    for (int i = 0; i < pieceCount; ++i)
        if (valid[size_t(i)])
            result.setBit(i);
    if (progress)
        progress(checked.load(), total);
    return result;
}

} // namespace swarmscope
