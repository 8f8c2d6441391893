#include "StorageTestUtil.h"
#include "StorageTests.h"
#include "storage/TorrentStorage.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <sys/resource.h>

using namespace swarmscope;
using namespace swarmscope::storagetest;

namespace {

// Two files under "t": the first below a subfolder, so links can be planted at every level.
Metainfo confinedMetainfo() {
    return makeMetainfo(QStringLiteral("t"),
                        {{QStringLiteral("a/x.bin"), 100}, {QStringLiteral("y.bin"), 50}}, 64,
                        randomBytes(150, 1));
}

// One 1 MiB file in 256 KiB pieces, shared by the size-limit test and its child process.
Metainfo sizeLimitMetainfo() {
    return makeMetainfo(QStringLiteral("big.bin"), {{QString(), 1 << 20}}, 256 * 1024,
                        QByteArray(1 << 20, '\0'));
}

// Everything below dir, with file contents, so a test can prove nothing outside the root was touched.
QStringList snapshot(const QString& dir) {
    QStringList out;
    QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        out.append(path + u'=' + QString::fromLatin1(fileBytes(path).toHex()));
    }
    out.sort();
    return out;
}

bool link(const QString& target, const QString& at) {
    QDir().mkpath(QFileInfo(at).absolutePath());
    return QFile::link(target, at);
}

} // namespace

int runSizeLimitedChild(int argc, char** argv) {
    if (argc != 5)
        return 64;
    // Without this the kernel kills the process with SIGXFSZ instead of failing the call with EFBIG.
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{};
    getrlimit(RLIMIT_FSIZE, &limit);
    limit.rlim_cur = rlim_t(std::strtoll(argv[3], nullptr, 10));
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0)
        return 65;
    TorrentStorage storage(sizeLimitMetainfo(), QString::fromLocal8Bit(argv[2]));
    StorageStatus status = storage.open(TorrentStorage::OpenMode::ReadWrite);
    if (status.ok() && qstrcmp(argv[4], "write") == 0)
        status = storage.writeBlock(1, 0, QByteArray(16384, 'a')); // starts at 256 KiB, past the limit
    std::printf("%d\n%s\n", int(status.error), status.message.toUtf8().constData());
    return 0;
}

class TestStorageSafety : public QObject {
    Q_OBJECT
private slots:
    void refusesSymlinkLeadingOutside_data() {
        QTest::addColumn<QString>("linkAt");     // below the download directory
        QTest::addColumn<QString>("linkTarget"); // "OUT" stands for the outside directory
        QTest::newRow("torrent folder") << QStringLiteral("t") << QStringLiteral("OUT");
        QTest::newRow("relative link climbing out") << QStringLiteral("t") << QStringLiteral("../outside");
        QTest::newRow("subfolder") << QStringLiteral("t/a") << QStringLiteral("OUT");
        QTest::newRow("the file itself") << QStringLiteral("t/a/x.bin") << QStringLiteral("OUT/victim.txt");
        QTest::newRow("dangling file link") << QStringLiteral("t/y.bin") << QStringLiteral("OUT/created.txt");
        QTest::newRow("dangling inside the root")
            << QStringLiteral("t/y.bin") << QStringLiteral("ROOT/nothing");
        QTest::newRow("relative link to the root's parent")
            << QStringLiteral("t/a") << QStringLiteral("../..");
    }
    void refusesSymlinkLeadingOutside() {
        QFETCH(QString, linkAt);
        QFETCH(QString, linkTarget);
        QTemporaryDir tmp;
        const QString root = tmp.path() + QStringLiteral("/dl");
        const QString outside = tmp.path() + QStringLiteral("/outside");
        QVERIFY(QDir().mkpath(root));
        QVERIFY(QDir().mkpath(outside));
        QFile victim(outside + QStringLiteral("/victim.txt"));
        QVERIFY(victim.open(QIODevice::WriteOnly));
        victim.write("precious");
        victim.close();
        linkTarget.replace(QStringLiteral("OUT"), outside).replace(QStringLiteral("ROOT"), root);
        QVERIFY(link(linkTarget, root + u'/' + linkAt));
        const QStringList before = snapshot(outside);

        TorrentStorage storage(confinedMetainfo(), root);
        const StorageStatus status = storage.open(TorrentStorage::OpenMode::ReadWrite);
        QCOMPARE(int(status.error), int(StorageError::UnsafePath));
        QVERIFY2(status.message.contains(linkAt), qPrintable(status.message));
        QVERIFY(!storage.isOpen());
        QCOMPARE(snapshot(outside), before);
        QVERIFY(!QFileInfo::exists(outside + QStringLiteral("/created.txt")));
        QVERIFY(!QFileInfo::exists(root + QStringLiteral("/nothing")));
        QCOMPARE(int(storage.writeBlock(0, 0, "x").error), int(StorageError::NotWritable));
    }

    void allowsSymlinkInsideRoot() {
        QTemporaryDir tmp;
        const QString root = tmp.path() + QStringLiteral("/dl");
        QVERIFY(QDir().mkpath(root + QStringLiteral("/real")));
        QVERIFY(link(root + QStringLiteral("/real"), root + QStringLiteral("/t")));
        const Metainfo m = confinedMetainfo();
        TorrentStorage storage(m, root);
        const StorageStatus status = storage.open(TorrentStorage::OpenMode::ReadWrite);
        QVERIFY2(status.ok(), qPrintable(status.message));
        QVERIFY(storage.writeBlock(0, 0, QByteArray(64, 'q')).ok());
        QCOMPARE(fileBytes(root + QStringLiteral("/real/a/x.bin")).left(64), QByteArray(64, 'q'));
    }

    // open() checked the path, then someone swapped a folder for a link: the next write must still refuse.
    void refusesSymlinkPlantedAfterOpen() {
        QTemporaryDir tmp;
        const QString root = tmp.path() + QStringLiteral("/dl");
        const QString outside = tmp.path() + QStringLiteral("/outside");
        QVERIFY(QDir().mkpath(outside));
        TorrentStorage storage(confinedMetainfo(), root);
        QVERIFY(storage.open(TorrentStorage::OpenMode::ReadWrite).ok());
        QVERIFY(QDir(root + QStringLiteral("/t/a")).removeRecursively());
        QVERIFY(QFile::copy(root + QStringLiteral("/t/y.bin"), outside + QStringLiteral("/x.bin")));
        QVERIFY(link(outside, root + QStringLiteral("/t/a")));
        const QStringList before = snapshot(outside);

        const StorageStatus status = storage.writeBlock(0, 0, QByteArray(64, 'q'));
        QCOMPARE(int(status.error), int(StorageError::UnsafePath));
        QVERIFY2(status.message.contains(QStringLiteral("t/a")), qPrintable(status.message));
        QCOMPARE(snapshot(outside), before);
    }

    // RLIMIT_FSIZE makes the kernel fail writes past the limit with EFBIG, the same path as a file system's
    // maximum file size; it runs in a child process so the limit cannot leak into other tests.
    void reportsFileSizeLimit_data() {
        QTest::addColumn<QString>("mode");
        QTest::newRow("sizing the file in open") << QStringLiteral("open");
        QTest::newRow("writing a block") << QStringLiteral("write");
    }
    void reportsFileSizeLimit() {
        QFETCH(QString, mode);
        QTemporaryDir tmp;
        if (mode == u"write") {
            TorrentStorage storage(sizeLimitMetainfo(), tmp.path());
            QVERIFY(storage.open(TorrentStorage::OpenMode::ReadWrite).ok()); // sized without a limit
        }
        QProcess child;
        child.start(QCoreApplication::applicationFilePath(),
                    {QStringLiteral("--size-limited-child"), tmp.path(), QString::number(64 * 1024), mode});
        QVERIFY(child.waitForFinished(60000));
        QCOMPARE(child.exitStatus(), QProcess::NormalExit);
        QCOMPARE(child.exitCode(), 0);
        const QStringList lines = QString::fromUtf8(child.readAllStandardOutput()).split(u'\n');
        QVERIFY(lines.size() >= 2);
        QCOMPARE(lines[0].toInt(), int(StorageError::FileTooLarge));
        QVERIFY2(lines[1].contains(QStringLiteral("file too large")), qPrintable(lines[1]));
        QVERIFY2(lines[1].contains(tmp.path() + QStringLiteral("/big.bin")), qPrintable(lines[1]));
    }

    void describesSystemFailures_data() {
        QTest::addColumn<int>("errnum");
        QTest::addColumn<int>("error");
        QTest::addColumn<QString>("phrase");
        QTest::newRow("ENOSPC") << ENOSPC << int(StorageError::DiskFull)
                                << QStringLiteral("no space left on device");
        QTest::newRow("EDQUOT") << EDQUOT << int(StorageError::DiskFull)
                                << QStringLiteral("disk quota exceeded");
        QTest::newRow("EFBIG") << EFBIG << int(StorageError::FileTooLarge)
                               << QStringLiteral("file too large");
        QTest::newRow("ENOENT") << ENOENT << int(StorageError::FileMissing)
                                << QStringLiteral("file is missing");
        QTest::newRow("EIO") << EIO << int(StorageError::Io) << QStringLiteral("while writing");
    }
    void describesSystemFailures() {
        QFETCH(int, errnum);
        QFETCH(int, error);
        QFETCH(QString, phrase);
        const StorageStatus status =
            systemFailure(errnum, QStringLiteral("writing"), QStringLiteral("/dl/f.bin"));
        QCOMPARE(int(status.error), error);
        QVERIFY2(status.message.contains(phrase), qPrintable(status.message));
        QVERIFY2(status.message.endsWith(QStringLiteral(" (/dl/f.bin)")), qPrintable(status.message));
    }
};

int runStorageSafetyTests(int argc, char** argv) {
    TestStorageSafety test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_storagesafety.moc"
