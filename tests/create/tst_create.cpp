#include "CreateTestUtil.h"

#include "metainfo/Metainfo.h"
#include "metainfo/PieceSize.h"
#include "metainfo/Sha1.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <iterator>
#include <stdexcept>
#include <thread>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif
#ifdef Q_OS_LINUX
#include <sys/fsuid.h>
#endif

using namespace swarmscope;
using namespace swarmscope::createtest;

namespace {

// Root reads every file whatever its mode, so to see a permission error the test thread gives up its file
// system privileges: on Linux the file system uid is per thread, and the hashing threads started while it
// is in force inherit it. Nothing to do when the tests do not run as root.
class UnprivilegedFileAccess {
public:
    explicit UnprivilegedFileAccess(const QString& tempDir) {
#ifdef Q_OS_LINUX
        m_ok = true;
        if (::geteuid() != 0)
            return;
        m_ok = false;
        // The temporary directory is private to its owner; "nobody" must be able to walk into it.
        if (::chmod(QFile::encodeName(tempDir).constData(), 0755) != 0)
            return;
        ::setfsuid(65534);
        m_changed = true;
        m_ok = ::setfsuid(uid_t(-1)) == 65534;
#else
        Q_UNUSED(tempDir);
        m_ok = true;
#endif
    }
    ~UnprivilegedFileAccess() {
#ifdef Q_OS_LINUX
        if (m_changed)
            ::setfsuid(0);
#endif
    }
    UnprivilegedFileAccess(const UnprivilegedFileAccess&) = delete;
    UnprivilegedFileAccess& operator=(const UnprivilegedFileAccess&) = delete;
    bool ok() const {
        return m_ok;
    }

private:
    bool m_changed = false;
    bool m_ok = false;
};

} // namespace

class TestCreate : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString path(const QString& relative) const { return m_dir.filePath(relative); }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // Piece sizes.

    void automaticPieceLength_table_data() {
        QTest::addColumn<qint64>("total");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("empty") << qint64(0) << 16 * KiB;
        QTest::newRow("1 byte") << qint64(1) << 16 * KiB;
        QTest::newRow("2000 minimum pieces") << 2000 * 16 * KiB << 16 * KiB;
        QTest::newRow("one byte more") << 2000 * 16 * KiB + 1 << 32 * KiB;
        QTest::newRow("100 MiB") << 100 * MiB << 64 * KiB;
        QTest::newRow("700 MiB") << 700 * MiB << 512 * KiB;
        QTest::newRow("1 GiB") << GiB << MiB;
        QTest::newRow("4 GiB") << 4 * GiB << 4 * MiB;
        QTest::newRow("31.25 GiB") << 2000 * 16 * MiB << 16 * MiB;
        QTest::newRow("1 TiB stops at 16 MiB") << 1024 * GiB << 16 * MiB;
    }
    void automaticPieceLength_table() {
        QFETCH(qint64, total);
        QFETCH(qint64, expected);
        QCOMPARE(automaticPieceLength(total), expected);
    }

    void automaticPieceLength_keepsCountBetween1000And2000() {
        for (qint64 total = 33 * MiB; total < 30 * GiB; total = total * 5 / 4 + 12345) {
            const qint64 length = automaticPieceLength(total);
            const qint64 count = (total + length - 1) / length;
            QVERIFY2(isValidPieceLength(length), qPrintable(QString::number(total)));
            QVERIFY2(count > 1000 && count <= 2000,
                     qPrintable(QStringLiteral("%1 -> %2").arg(total).arg(count)));
        }
    }

    void pieceLengthValidation_data() {
        QTest::addColumn<qint64>("length");
        QTest::addColumn<QString>("problem"); // empty when valid
        QTest::newRow("16 KiB") << 16 * KiB << QString();
        QTest::newRow("256 KiB") << 256 * KiB << QString();
        QTest::newRow("512 MiB") << 512 * MiB << QString();
        QTest::newRow("zero") << qint64(0)
                              << QStringLiteral("piece size must be a power of two, not 0 bytes");
        QTest::newRow("negative") << qint64(-16384) << QStringLiteral("power of two");
        QTest::newRow("not a power of two")
            << qint64(100000) << QStringLiteral("power of two, not 100000 bytes");
        QTest::newRow("three blocks") << 48 * KiB << QStringLiteral("power of two, not 48 KiB");
        QTest::newRow("too small") << 8 * KiB << QStringLiteral("at least 16 KiB, not 8 KiB");
        QTest::newRow("one byte") << qint64(1) << QStringLiteral("at least 16 KiB, not 1 byte");
        QTest::newRow("too large") << GiB << QStringLiteral("at most 512 MiB, not 1 GiB");
    }
    void pieceLengthValidation() {
        QFETCH(qint64, length);
        QFETCH(QString, problem);
        QString why;
        QCOMPARE(isValidPieceLength(length, &why), problem.isEmpty());
        QVERIFY2(why.contains(problem), qPrintable(why));
    }

    void badPieceLength_isInputError() {
        const QString file = path(QStringLiteral("bad-piece.bin"));
        QVERIFY(ts::writeRandomFile(file, 1000));
        const TorrentCreateResult r = create(file, 100000);
        QCOMPARE(r.errorKind, TorrentCreateError::InvalidOptions);
        QVERIFY(r.isInputError());
        QVERIFY(!r.ok());
        QVERIFY(r.torrent.isEmpty());
        QCOMPARE(r.error, QStringLiteral("piece size must be a power of two, not 100000 bytes (piece size)"));
    }

    void automaticPieceLength_usedWhenNoneGiven() {
        const QString file = path(QStringLiteral("auto.bin"));
        QVERIFY(ts::writeRandomFile(file, 3 * MiB + 1));
        const TorrentCreateResult r = create(file, 0);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.pieceLength, automaticPieceLength(3 * MiB + 1));
        QCOMPARE(r.pieceCount, int((3 * MiB + 1 + r.pieceLength - 1) / r.pieceLength));
    }

    // Bad input.

    void missingPath_isReported() {
        const QString missing = path(QStringLiteral("does/not/exist.bin"));
        const TorrentCreateResult r = create(missing, 0);
        QCOMPARE(r.errorKind, TorrentCreateError::PathNotFound);
        QVERIFY(r.isInputError());
        QCOMPARE(r.error, QStringLiteral("no such file or directory (%1)").arg(missing));
    }

    void emptyInputs_areRejected_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty directory") << QStringLiteral("empty-dir") << QStringLiteral("no regular files");
        QTest::newRow("only empty files") << QStringLiteral("zero-dir") << QStringLiteral("every file");
        QTest::newRow("empty file") << QStringLiteral("zero.bin") << QStringLiteral("file is empty");
    }
    void emptyInputs_areRejected() {
        QFETCH(QString, name);
        QFETCH(QString, message);
        QVERIFY(QDir().mkpath(path(QStringLiteral("empty-dir/sub/subsub"))));
        QVERIFY(QDir().mkpath(path(QStringLiteral("zero-dir/sub"))));
        QVERIFY(ts::writeRandomFile(path(QStringLiteral("zero-dir/a")), 0));
        QVERIFY(ts::writeRandomFile(path(QStringLiteral("zero-dir/sub/b")), 0));
        QVERIFY(ts::writeRandomFile(path(QStringLiteral("zero.bin")), 0));
        const TorrentCreateResult r = create(path(name), 0);
        QCOMPARE(r.errorKind, TorrentCreateError::NoData);
        QVERIFY(r.isInputError());
        QVERIFY2(r.error.contains(message) && r.error.contains(path(name)), qPrintable(r.error));
    }

    void badOptions_areRejected() {
        const QString file = path(QStringLiteral("options.bin"));
        QVERIFY(ts::writeRandomFile(file, 100));
        TorrentCreateOptions options;
        options.path = file;
        options.threads = -1;
        TorrentCreateResult r = TorrentCreator(options).run();
        QCOMPARE(r.errorKind, TorrentCreateError::InvalidOptions);
        QVERIFY2(r.error.endsWith(QStringLiteral("(threads)")), qPrintable(r.error));

        options.threads = 0;
        options.trackers = {QStringLiteral("http://127.0.0.1:1/announce"), QStringLiteral("  ")};
        r = TorrentCreator(options).run();
        QCOMPARE(r.errorKind, TorrentCreateError::InvalidOptions);
        QCOMPARE(r.error, QStringLiteral("tracker URL is empty (tracker 2)"));

        options.trackers.clear();
        options.path.clear();
        r = TorrentCreator(options).run();
        QCOMPARE(r.errorKind, TorrentCreateError::InvalidOptions);
    }

    void tooManyPieces_isRejectedBeforeHashing() {
        // 64 GiB of holes at 16 KiB per piece is 4 Mi pieces: 80 MiB of hashes, past the parser's 64 MiB
        // limit.
        const QString file = path(QStringLiteral("huge-sparse.bin"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.resize(64 * GiB));
        f.close();
        QElapsedTimer timer;
        timer.start();
        const TorrentCreateResult r = create(file, 16 * KiB);
        QCOMPARE(r.errorKind, TorrentCreateError::TooLarge);
        QVERIFY2(r.error.contains(QStringLiteral("choose a larger piece size")), qPrintable(r.error));
        QVERIFY(timer.elapsed() < 2000);
        QFile::remove(file);
    }

#ifdef Q_OS_UNIX
    void specialFileAsInput_isRejected() {
        const QString fifo = path(QStringLiteral("input.fifo"));
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        const TorrentCreateResult r = create(fifo, 0);
        QCOMPARE(r.errorKind, TorrentCreateError::UnsupportedPath);
        QCOMPARE(r.error, QStringLiteral("not a regular file or directory (%1)").arg(fifo));
    }

    void nonUtf8FileName_isRejected() {
        const QString dir = path(QStringLiteral("latin1"));
        QVERIFY(QDir().mkpath(dir));
        const QByteArray name = QFile::encodeName(dir) + "/caf\xe9.txt"; // Latin-1, not UTF-8
        const int fd = ::open(name.constData(), O_CREAT | O_WRONLY, 0644);
        QVERIFY(fd >= 0);
        QCOMPARE(::write(fd, "x", 1), ssize_t(1));
        ::close(fd);
        const TorrentCreateResult r = create(dir, 0);
        ::unlink(name.constData()); // QTemporaryDir could not remove it: Qt cannot spell the name
        QCOMPARE(r.errorKind, TorrentCreateError::UnsupportedPath);
        QVERIFY2(r.error.startsWith(QStringLiteral("file name is not valid UTF-8 (")), qPrintable(r.error));
    }

    void unreadableInput_isReported_data() {
        QTest::addColumn<QString>("locked"); // made unreadable; a file is opened by a hashing thread, a
                                             // directory is listed by the calling thread
        QTest::newRow("file") << QStringLiteral("unreadable/sub/secret");
        QTest::newRow("directory") << QStringLiteral("unreadable/sub");
    }
    void unreadableInput_isReported() {
        QFETCH(QString, locked);
        const QString dir = path(QStringLiteral("unreadable"));
        QVERIFY(QDir().mkpath(dir + QStringLiteral("/sub")));
        QVERIFY(ts::writeRandomFile(dir + QStringLiteral("/a"), 100));
        QVERIFY(ts::writeRandomFile(dir + QStringLiteral("/sub/secret"), 100));
        const QFileDevice::Permissions before = QFile::permissions(path(locked));
        QVERIFY(QFile::setPermissions(path(locked), QFileDevice::Permissions()));
        TorrentCreateResult r;
        {
            const UnprivilegedFileAccess unprivileged(m_dir.path());
            QVERIFY2(unprivileged.ok(), "cannot give up the right to read any file for this test");
            r = create(dir, 0, false, 2);
        }
        QFile::setPermissions(path(locked), before);
        QCOMPARE(r.errorKind, TorrentCreateError::Unreadable);
        QVERIFY(r.isInputError());
        QVERIFY2(r.error.contains(QStringLiteral("Permission denied (") + path(locked) + QLatin1Char(')')),
                 qPrintable(r.error));
    }

    void symlinksAndSpecialFiles_areSkipped() {
        const QString dir = path(QStringLiteral("links"));
        QVERIFY(QDir().mkpath(dir + QStringLiteral("/real")));
        QVERIFY(ts::writeRandomFile(dir + QStringLiteral("/real/data"), 20000));
        QVERIFY(ts::writeRandomFile(path(QStringLiteral("outside.bin")), 5000));
        QVERIFY(QFile::link(dir + QStringLiteral("/real/data"), dir + QStringLiteral("/file-link")));
        QVERIFY(QFile::link(dir + QStringLiteral("/real"), dir + QStringLiteral("/dir-link")));
        QVERIFY(QFile::link(path(QStringLiteral("outside.bin")), dir + QStringLiteral("/real/outside-link")));
        QVERIFY(QFile::link(dir, dir + QStringLiteral("/real/loop"))); // would recurse for ever if followed
        QCOMPARE(::mkfifo(QFile::encodeName(dir + QStringLiteral("/pipe")).constData(), 0600), 0);

        const TorrentCreateResult r = create(dir, 16 * KiB);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(fileListOf(r.torrent), QStringList{QStringLiteral("real/data:20000")});
        QStringList skipped = r.skipped;
        skipped.sort();
        QCOMPARE(skipped,
                 (QStringList{QStringLiteral("dir-link"), QStringLiteral("file-link"), QStringLiteral("pipe"),
                              QStringLiteral("real/loop"), QStringLiteral("real/outside-link")}));
        QCOMPARE(r.fileCount, 1);
        QCOMPARE(r.totalSize, qint64(20000));
    }

    void symlinkGivenAsInput_isFollowed() {
        const QString real = path(QStringLiteral("target.bin"));
        const QString alias = path(QStringLiteral("alias.bin"));
        QVERIFY(ts::writeRandomFile(real, 30000));
        QVERIFY(QFile::link(real, alias));
        const TorrentCreateResult r = create(alias, 16 * KiB);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.name, QStringLiteral("alias.bin"));
        QCOMPARE(r.totalSize, qint64(30000));
        QCOMPARE(piecesOf(r.torrent), independentPieces({real}, 16 * KiB));
    }
#endif

    // Output.

    void noDate_outputIsDeterministic() {
        const QString dir = path(QStringLiteral("deterministic"));
        QVERIFY(writeTree(dir, kOrderingTree));
        TorrentCreateOptions options;
        options.path = dir;
        options.includeDate = false;
        options.trackers = {QStringLiteral("http://127.0.0.1:6969/announce")};
        options.comment = QStringLiteral("lab run 7");
        options.createdBy = QStringLiteral("Swarmscope test");
        const TorrentCreateResult first = TorrentCreator(options).run();
        options.threads = 1;
        options.path = dir + QLatin1Char('/'); // the trailing separator changes nothing
        const TorrentCreateResult second = TorrentCreator(options).run();
        QVERIFY2(first.ok() && second.ok(), qPrintable(first.error + second.error));
        QCOMPARE(first.torrent, second.torrent);
        QCOMPARE(first.infoHash, second.infoHash);
        QVERIFY(!decode(first.torrent)->find("creation date"));
        QCOMPARE(first.name, QStringLiteral("deterministic"));
    }

    void withDate_hasCreationDate() {
        const QString file = path(QStringLiteral("dated.bin"));
        QVERIFY(ts::writeRandomFile(file, 1000));
        TorrentCreateOptions options;
        options.path = file;
        const qint64 before = QDateTime::currentSecsSinceEpoch();
        const TorrentCreateResult r = TorrentCreator(options).run();
        QVERIFY2(r.ok(), qPrintable(r.error));
        const std::optional<BencodeValue> root = decode(r.torrent);
        QVERIFY(root);
        const BencodeValue* date = root->find("creation date");
        QVERIFY(date && date->isInteger());
        QVERIFY(date->toInteger() >= before && date->toInteger() <= QDateTime::currentSecsSinceEpoch());
    }

    void outerDictionary_followsCommonPractice() {
        const QString file = path(QStringLiteral("outer.bin"));
        QVERIFY(ts::writeRandomFile(file, 1000));
        TorrentCreateOptions options;
        options.path = file;
        options.includeDate = false;

        options.trackers = {QStringLiteral("http://one/announce")};
        TorrentCreateResult r = TorrentCreator(options).run();
        QVERIFY2(r.ok(), qPrintable(r.error));
        std::optional<BencodeValue> root = decode(r.torrent);
        QCOMPARE(root->find("announce")->toByteArray(), QByteArray("http://one/announce"));
        QVERIFY2(!root->find("announce-list"), "one tracker needs no announce-list (mktorrent writes none)");
        QVERIFY(!root->find("comment") && !root->find("created by"));

        options.trackers = {QStringLiteral("http://one/announce"), QStringLiteral("udp://two:80"),
                            QStringLiteral("http://three/a")};
        options.comment = QStringLiteral("déjà vu");
        options.createdBy = QStringLiteral("Swarmscope 0.1.0");
        r = TorrentCreator(options).run();
        QVERIFY2(r.ok(), qPrintable(r.error));
        root = decode(r.torrent);
        QCOMPARE(root->find("announce")->toByteArray(), QByteArray("http://one/announce"));
        const BencodeValue::List tiers = root->find("announce-list")->toList();
        QCOMPARE(tiers.size(), 3);
        QCOMPARE(tiers[1].toList().size(), 1);
        QCOMPARE(tiers[1].toList()[0].toByteArray(), QByteArray("udp://two:80"));
        QCOMPARE(root->find("comment")->toByteArray(), QStringLiteral("déjà vu").toUtf8());
        QCOMPARE(root->find("created by")->toByteArray(), QByteArray("Swarmscope 0.1.0"));
        QVERIFY(!root->find("info")->find("private"));

        options.isPrivate = true;
        r = TorrentCreator(options).run();
        QCOMPARE(decode(r.torrent)->find("info")->find("private")->toInteger(), qint64(1));
        QCOMPARE(sha1(infoBytesOf(r.torrent)), r.infoHash);
    }

    void parsedBack_matchesWhatWasCreated() {
        const QString dir = path(QStringLiteral("roundtrip"));
        QVERIFY(writeTree(dir, kOrderingTree));
        TorrentCreateOptions options;
        options.path = dir;
        options.pieceLength = 32 * KiB;
        options.isPrivate = true;
        options.trackers = {QStringLiteral("http://127.0.0.1:6969/announce"),
                            QStringLiteral("http://b/announce")};
        options.comment = QStringLiteral("round trip");
        options.createdBy = QStringLiteral("Swarmscope");
        const TorrentCreateResult r = TorrentCreator(options).run();
        QVERIFY2(r.ok(), qPrintable(r.error));

        const MetainfoParseResult parsed = parseMetainfo(r.torrent);
        QVERIFY2(parsed.ok(), qPrintable(parsed.message));
        const Metainfo& m = *parsed.metainfo;
        QCOMPARE(m.infoHash, r.infoHash);
        QCOMPARE(m.name, QStringLiteral("roundtrip"));
        QCOMPARE(m.pieceLength, 32 * KiB);
        QCOMPARE(m.pieceCount(), r.pieceCount);
        QCOMPARE(m.totalSize, r.totalSize);
        QVERIFY(m.isPrivate && m.multiFile);
        QCOMPARE(m.files.size(), qsizetype(std::size(kOrderingTreeSorted)));
        for (qsizetype i = 0; i < m.files.size(); ++i)
            QCOMPARE(m.files[i].path,
                     QString(QStringLiteral("roundtrip/") + QString::fromUtf8(kOrderingTreeSorted[i])));
        QCOMPARE(m.trackers(), options.trackers);
        QCOMPARE(m.comment, options.comment);
        QCOMPARE(m.createdBy, options.createdBy);
        QVERIFY(m.creationDate.has_value());
    }

    // Hashing.

    void directoryOrder_isByteOrderOfFullPath() {
        const QString dir = path(QStringLiteral("order"));
        QVERIFY(writeTree(dir, kOrderingTree));
        const TorrentCreateResult r = create(dir, 16 * KiB);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QStringList expected;
        for (const char* file : kOrderingTreeSorted) {
            for (const TreeFile& f : kOrderingTree)
                if (qstrcmp(f.path, file) == 0)
                    expected.append(QString::fromUtf8(file) + QLatin1Char(':') + QString::number(f.size));
        }
        QCOMPARE(fileListOf(r.torrent), expected);
        QCOMPARE(r.fileCount, int(std::size(kOrderingTree)));
        QVERIFY(r.skipped.isEmpty());
    }

    void piecesSpanningFiles_matchIndependentHash_data() {
        QTest::addColumn<int>("threads");
        QTest::addColumn<qint64>("pieceLength");
        QTest::newRow("1 thread, 16 KiB") << 1 << 16 * KiB;
        QTest::newRow("2 threads, 16 KiB") << 2 << 16 * KiB;
        QTest::newRow("7 threads, 16 KiB") << 7 << 16 * KiB;
        QTest::newRow("all cores, 32 KiB") << 0 << 32 * KiB;
        QTest::newRow("3 threads, 1 MiB") << 3 << MiB;
    }
    void piecesSpanningFiles_matchIndependentHash() {
        QFETCH(int, threads);
        QFETCH(qint64, pieceLength);
        // Sizes around the piece and block boundaries, empty files between, and files smaller than a piece so
        // that one piece takes data from several of them.
        static const TreeFile files[] = {
            {"01", 1},
            {"02", 16383},
            {"03", 0},
            {"04", 16385},
            {"05", 3},
            {"06", 16 * 1024},
            {"07", 32 * 1024 + 1},
            {"08", 0},
            {"09", 0},
            {"10", 262145},
            {"11", 1024 * 1024 + 7},
            {"12", 5},
            {"13", 3 * 1024 * 1024 - 9},
            {"14", 1},
        };
        const QString dir = path(QStringLiteral("spanning"));
        if (!QFileInfo::exists(dir))
            QVERIFY(writeTree(dir, files));
        QStringList paths;
        for (const TreeFile& f : files)
            paths.append(dir + QLatin1Char('/') + QString::fromUtf8(f.path));
        const TorrentCreateResult r = create(dir, pieceLength, false, threads);
        QVERIFY2(r.ok(), qPrintable(r.error));
        const QByteArray expected = independentPieces(paths, pieceLength);
        QCOMPARE(r.pieceCount, int(expected.size() / 20));
        QCOMPARE(piecesOf(r.torrent), expected);
        QCOMPARE(sha1(infoBytesOf(r.torrent)), r.infoHash);
    }

    void singleFile_oddSizes_matchIndependentHash_data() {
        QTest::addColumn<qint64>("size");
        QTest::newRow("1") << qint64(1);
        QTest::newRow("16383") << qint64(16383);
        QTest::newRow("16384") << qint64(16384);
        QTest::newRow("16385") << qint64(16385);
        QTest::newRow("block + 1") << 256 * KiB + 1;
        QTest::newRow("3 MiB - 1") << 3 * MiB - 1;
    }
    void singleFile_oddSizes_matchIndependentHash() {
        QFETCH(qint64, size);
        const QString file = path(QStringLiteral("odd-%1.bin").arg(size));
        QVERIFY(ts::writeRandomFile(file, size, quint32(size)));
        const TorrentCreateResult r = create(file, 16 * KiB, false, 2);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(piecesOf(r.torrent), independentPieces({file}, 16 * KiB));
        QCOMPARE(decode(r.torrent)->find("info")->find("length")->toInteger(), size);
    }

    // Progress and cancellation.

    void progress_isMonotoneAndEndsAtTotal() {
        // Holes read as zeros at memory speed, so a large file costs no disk space and little time.
        const QString file = path(QStringLiteral("progress-sparse.bin"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.resize(GiB));
        f.close();
        QList<QPair<qint64, qint64>> calls;
        TorrentCreateOptions options;
        options.path = file;
        options.pieceLength = 16 * KiB; // 65536 pieces: the callback must not come once per piece
        options.includeDate = false;
        TorrentCreator creator(options);
        const Qt::HANDLE caller = QThread::currentThreadId();
        bool onCaller = true;
        const TorrentCreateResult r = creator.run([&](qint64 done, qint64 total) {
            onCaller = onCaller && QThread::currentThreadId() == caller;
            calls.append({done, total});
        });
        QVERIFY2(r.ok(), qPrintable(r.error));
        QFile::remove(file);
        QVERIFY(onCaller);
        QVERIFY(calls.size() >= 2);
        QVERIFY2(calls.size() < 200, qPrintable(QString::number(calls.size())));
        QCOMPARE(calls.first(), (QPair<qint64, qint64>(0, GiB)));
        QCOMPARE(calls.last(), (QPair<qint64, qint64>(GiB, GiB)));
        for (qsizetype i = 1; i < calls.size(); ++i) {
            QVERIFY(calls[i].first >= calls[i - 1].first);
            QCOMPARE(calls[i].second, GiB);
        }
    }

    void cancel_fromProgressCallback_stopsPromptly() {
        const QString file = path(QStringLiteral("cancel-sparse.bin"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.resize(16 * GiB));
        f.close();
        TorrentCreateOptions options;
        options.path = file;
        options.pieceLength = 4 * MiB;
        TorrentCreator creator(options);
        QElapsedTimer timer;
        qint64 cancelledAt = -1;
        qint64 hashedAtCancel = 0;
        timer.start();
        const TorrentCreateResult r = creator.run([&](qint64 done, qint64) {
            if (done > 0 && cancelledAt < 0) {
                hashedAtCancel = done;
                cancelledAt = timer.elapsed();
                creator.cancel();
            }
        });
        const qint64 latency = timer.elapsed() - cancelledAt;
        QFile::remove(file);
        QVERIFY(cancelledAt >= 0);
        QVERIFY(r.cancelled);
        QVERIFY(!r.ok());
        QVERIFY(r.error.isEmpty());
        QVERIFY(r.torrent.isEmpty());
        QVERIFY(hashedAtCancel < 16 * GiB);
        qInfo("run() returned %lld ms after cancel()", latency);
        QVERIFY2(latency < 100, qPrintable(QStringLiteral("%1 ms").arg(latency)));
    }

    void cancel_fromAnotherThread_stopsPromptly() {
        const QString file = path(QStringLiteral("cancel-thread-sparse.bin"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.resize(16 * GiB));
        f.close();
        TorrentCreateOptions options;
        options.path = file;
        TorrentCreator creator(options);
        QElapsedTimer timer;
        timer.start();
        std::atomic<qint64> cancelledAt{-1};
        std::thread canceller([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(150));
            cancelledAt = timer.elapsed();
            creator.cancel();
        });
        const TorrentCreateResult r = creator.run();
        const qint64 returnedAt = timer.elapsed();
        canceller.join();
        QFile::remove(file);
        QVERIFY(r.cancelled);
        qInfo("run() returned %lld ms after cancel()", returnedAt - cancelledAt.load());
        QVERIFY2(returnedAt - cancelledAt.load() < 100,
                 qPrintable(QString::number(returnedAt - cancelledAt)));
    }

    void throwingProgressCallback_leavesNoThreadRunning() {
        const QString file = path(QStringLiteral("throw-sparse.bin"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.resize(16 * GiB));
        f.close();
        TorrentCreateOptions options;
        options.path = file;
        TorrentCreator creator(options);
        // Without the threads stopped and joined first, unwinding would end the process (std::terminate).
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, creator.run([](qint64 done, qint64) {
            if (done > 0)
                throw std::runtime_error("callback failed");
        }));
        QFile::remove(file);
    }

    void cancel_beforeRun_returnsAtOnce() {
        const QString file = path(QStringLiteral("early-cancel.bin"));
        QVERIFY(ts::writeRandomFile(file, 1000));
        TorrentCreateOptions options;
        options.path = file;
        TorrentCreator creator(options);
        creator.cancel();
        bool called = false;
        const TorrentCreateResult r = creator.run([&](qint64, qint64) { called = true; });
        QVERIFY(r.cancelled);
        QVERIFY(!called);
        QVERIFY(creator.isCancelled());
    }

    void fileChangingSize_isAnError_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("changed");
        QTest::addColumn<qint64>("newSize");
        QTest::newRow("single file shrinks")
            << QStringLiteral("grow-single.bin") << QStringLiteral("grow-single.bin") << qint64(5000);
        QTest::newRow("file in a directory grows")
            << QStringLiteral("grow-dir") << QStringLiteral("grow-dir/b") << qint64(70000);
        QTest::newRow("empty file in a directory grows")
            << QStringLiteral("grow-dir") << QStringLiteral("grow-dir/c") << qint64(10);
    }
    void fileChangingSize_isAnError() {
        QFETCH(QString, input);
        QFETCH(QString, changed);
        QFETCH(qint64, newSize);
        QDir(path(QStringLiteral("grow-dir"))).removeRecursively();
        QVERIFY(ts::writeRandomFile(path(QStringLiteral("grow-single.bin")), 50000));
        QVERIFY(QDir().mkpath(path(QStringLiteral("grow-dir"))));
        QVERIFY(ts::writeRandomFile(path(QStringLiteral("grow-dir/a")), 50000));
        QVERIFY(ts::writeRandomFile(path(QStringLiteral("grow-dir/b")), 50000));
        QVERIFY(ts::writeRandomFile(path(QStringLiteral("grow-dir/c")), 0));
        TorrentCreateOptions options;
        options.path = path(input);
        options.pieceLength = 16 * KiB;
        TorrentCreator creator(options);
        // The first callback comes after the scan and before any hashing: the sizes are on record by then.
        const TorrentCreateResult r = creator.run([&](qint64 done, qint64) {
            if (done == 0)
                QFile(path(changed)).resize(newSize);
        });
        QCOMPARE(r.errorKind, TorrentCreateError::ChangedWhileHashing);
        QVERIFY(!r.isInputError());
        QVERIFY2(r.error.startsWith(QStringLiteral("file changed size while hashing")), qPrintable(r.error));
        QVERIFY2(r.error.endsWith(path(changed) + QLatin1Char(')')), qPrintable(r.error));
    }
};

QTEST_GUILESS_MAIN(TestCreate)
#include "tst_create.moc"
