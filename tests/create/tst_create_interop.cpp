// The info dictionary against the programs people make torrents with: mktorrent, libtorrent (through its
// Python binding) and transmission-create. Each is a required tool: a missing one fails the test.

#include "CreateTestUtil.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::createtest;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");

int log2Of(qint64 value) {
    int bits = 0;
    while ((qint64(1) << bits) < value)
        ++bits;
    return bits;
}

QString describe(const ts::ProcessResult& r) {
    return QStringLiteral("exit %1%2, stdout: %3, stderr: %4")
        .arg(r.exitCode)
        .arg(r.timedOut ? QStringLiteral(" (timed out)") : QString())
        .arg(QString::fromUtf8(r.out.left(500)), QString::fromUtf8(r.err.left(500)));
}

// Creates a torrent with libtorrent through its Python binding. "walk" lets libtorrent list the directory
// itself; "ordered" adds the given relative paths in the given order.
const char kLibtorrentScript[] = R"(import os, sys
import libtorrent as lt
mode, root, piece, private, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == '1', sys.argv[5]
fs = lt.file_storage()
if mode == 'walk':
    lt.add_files(fs, root)
else:
    name = os.path.basename(root)
    for rel in sys.argv[6:]:
        fs.add_file(name + '/' + rel, os.path.getsize(os.path.join(root, rel)))
ct = lt.create_torrent(fs, piece, flags=lt.create_torrent.v1_only)
lt.set_piece_hashes(ct, os.path.dirname(root))
ct.set_priv(private)
with open(out, 'wb') as f:
    f.write(lt.bencode(ct.generate()))
)";

} // namespace

class TestCreateInterop : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString path(const QString& relative) const { return m_dir.filePath(relative); }

    QString requireTool(const QString& name) {
        const QString found = ts::requiredTool(name);
        if (found.isEmpty())
            qWarning("%s is required for this test and missing; cmake/setup-debian.sh installs it",
                     qPrintable(name));
        return found;
    }

    // /usr/bin/python3 with the libtorrent module (Debian's python3-libtorrent), or an empty string.
    QString requireLibtorrent() {
        const ts::ProcessResult r =
            ts::runProcess(kPython, {QStringLiteral("-c"), QStringLiteral("import libtorrent")});
        if (r.exitCode != 0) {
            qWarning("/usr/bin/python3 with the libtorrent module (python3-libtorrent) is required: %s",
                     qPrintable(describe(r)));
            return {};
        }
        const QString script = path(QStringLiteral("make_torrent.py"));
        QFile file(script);
        if (!file.exists() && (!file.open(QIODevice::WriteOnly) || file.write(kLibtorrentScript) < 0))
            return {};
        return script;
    }

    QByteArray runMktorrent(const QString& target, qint64 pieceLength, bool isPrivate, const QString& out) {
        const QString mktorrent = requireTool(QStringLiteral("mktorrent"));
        if (mktorrent.isEmpty())
            return {};
        QFile::remove(out); // mktorrent refuses to overwrite
        QStringList args{QStringLiteral("-d"), QStringLiteral("-l"), QString::number(log2Of(pieceLength)),
                         QStringLiteral("-o"), out};
        if (isPrivate)
            args << QStringLiteral("-p");
        const ts::ProcessResult r = ts::runProcess(mktorrent, args << target);
        if (r.exitCode != 0)
            qWarning("mktorrent failed: %s", qPrintable(describe(r)));
        return ts::readAll(out);
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void matchesMktorrent_data() {
        QTest::addColumn<QString>("input"); // a file size in bytes, or "tree"
        QTest::addColumn<qint64>("pieceLength");
        QTest::addColumn<bool>("isPrivate");
        QTest::newRow("1 byte") << QStringLiteral("1") << 32 * KiB << false;
        QTest::newRow("piece - 1, private") << QStringLiteral("32767") << 32 * KiB << true;
        QTest::newRow("piece + 1") << QStringLiteral("32769") << 32 * KiB << false;
        QTest::newRow("3 MiB + 17, 64 KiB, private") << QStringLiteral("3145745") << 64 * KiB << true;
        QTest::newRow("3 MiB + 17, 256 KiB") << QStringLiteral("3145745") << 256 * KiB << false;
        QTest::newRow("tree") << QStringLiteral("tree") << 32 * KiB << false;
        QTest::newRow("tree, private") << QStringLiteral("tree") << 32 * KiB << true;
        QTest::newRow("tree, 64 KiB") << QStringLiteral("tree") << 64 * KiB << false;
    }
    void matchesMktorrent() {
        QFETCH(QString, input);
        QFETCH(qint64, pieceLength);
        QFETCH(bool, isPrivate);
        const QString target =
            input == u"tree" ? path(QStringLiteral("mk-tree")) : path(QStringLiteral("mk-%1.bin").arg(input));
        if (!QFileInfo::exists(target)) {
            if (input == u"tree")
                QVERIFY(writeTree(target, kOrderingTree));
            else
                QVERIFY(ts::writeRandomFile(target, input.toLongLong(), 99));
        }
        const QByteArray theirs =
            runMktorrent(target, pieceLength, isPrivate, path(QStringLiteral("mk.torrent")));
        QVERIFY2(!theirs.isEmpty(), "mktorrent is required for this test and produced no torrent");
        const TorrentCreateResult ours = create(target, pieceLength, isPrivate);
        QVERIFY2(ours.ok(), qPrintable(ours.error));
        QCOMPARE(infoBytesOf(ours.torrent), infoBytesOf(theirs));
    }

    void matchesLibtorrent_singleFile_data() {
        QTest::addColumn<qint64>("size");
        QTest::addColumn<qint64>("pieceLength");
        QTest::addColumn<bool>("isPrivate");
        QTest::newRow("1 byte") << qint64(1) << 16 * KiB << false;
        QTest::newRow("16383, private") << qint64(16383) << 16 * KiB << true;
        QTest::newRow("16385") << qint64(16385) << 16 * KiB << false;
        QTest::newRow("3 MiB + 1, 64 KiB, private") << 3 * MiB + 1 << 64 * KiB << true;
        QTest::newRow("3 MiB + 1, 1 MiB") << 3 * MiB + 1 << MiB << false;
    }
    void matchesLibtorrent_singleFile() {
        QFETCH(qint64, size);
        QFETCH(qint64, pieceLength);
        QFETCH(bool, isPrivate);
        const QString script = requireLibtorrent();
        QVERIFY2(!script.isEmpty(), "/usr/bin/python3 with libtorrent (python3-libtorrent) is required");
        // Not executable: libtorrent would add attr "x" to the info dictionary.
        const QString file = path(QStringLiteral("lt-%1.bin").arg(size));
        if (!QFileInfo::exists(file))
            QVERIFY(ts::writeRandomFile(file, size, 5));
        const QString out = path(QStringLiteral("lt.torrent"));
        const ts::ProcessResult run =
            ts::runProcess(kPython, {script, QStringLiteral("walk"), file, QString::number(pieceLength),
                                     QString::number(isPrivate ? 1 : 0), out});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const TorrentCreateResult ours = create(file, pieceLength, isPrivate);
        QVERIFY2(ours.ok(), qPrintable(ours.error));
        QCOMPARE(infoBytesOf(ours.torrent), infoBytesOf(ts::readAll(out)));
    }

    void matchesLibtorrent_directory() {
        const QString script = requireLibtorrent();
        QVERIFY2(!script.isEmpty(), "/usr/bin/python3 with libtorrent (python3-libtorrent) is required");
        const QString dir = path(QStringLiteral("lt-tree"));
        if (!QFileInfo::exists(dir))
            QVERIFY(writeTree(dir, kOrderingTree));
        const TorrentCreateResult ours = create(dir, 16 * KiB, true);
        QVERIFY2(ours.ok(), qPrintable(ours.error));

        // libtorrent lists files in directory-walk order, so its own walk agrees with ours as a set.
        const QString walked = path(QStringLiteral("lt-walk.torrent"));
        ts::ProcessResult run =
            ts::runProcess(kPython, {script, QStringLiteral("walk"), dir, QStringLiteral("16384"),
                                     QStringLiteral("1"), walked});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QStringList theirFiles = fileListOf(ts::readAll(walked));
        QStringList ourFiles = fileListOf(ours.torrent);
        QCOMPARE(theirFiles.size(), ourFiles.size());
        theirFiles.sort();
        ourFiles.sort();
        QCOMPARE(theirFiles, ourFiles);

        // Given our order, libtorrent's pieces and whole info dictionary are the same as ours.
        QStringList args{script,
                         QStringLiteral("ordered"),
                         dir,
                         QStringLiteral("16384"),
                         QStringLiteral("1"),
                         path(QStringLiteral("lt-ordered.torrent"))};
        for (const char* file : kOrderingTreeSorted)
            args.append(QString::fromUtf8(file));
        run = ts::runProcess(kPython, args);
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QByteArray ordered = ts::readAll(path(QStringLiteral("lt-ordered.torrent")));
        QCOMPARE(piecesOf(ours.torrent), piecesOf(ordered));
        QCOMPARE(infoBytesOf(ours.torrent), infoBytesOf(ordered));
    }

    void matchesTransmission_data() {
        QTest::addColumn<QString>("input"); // a file size in bytes, or "tree"
        QTest::addColumn<qint64>("pieceLength");
        QTest::addColumn<bool>("isPrivate");
        QTest::newRow("16385") << QStringLiteral("16385") << 16 * KiB << false;
        QTest::newRow("3 MiB + 5, private") << QStringLiteral("3145733") << 64 * KiB << true;
        QTest::newRow("tree") << QStringLiteral("tree") << 16 * KiB << false;
        QTest::newRow("tree, private") << QStringLiteral("tree") << 32 * KiB << true;
    }
    void matchesTransmission() {
        QFETCH(QString, input);
        QFETCH(qint64, pieceLength);
        QFETCH(bool, isPrivate);
        const QString create_ = requireTool(QStringLiteral("transmission-create"));
        const QString show = requireTool(QStringLiteral("transmission-show"));
        QVERIFY2(!create_.isEmpty() && !show.isEmpty(),
                 "transmission-create and transmission-show (transmission-cli) are required");
        const QString target =
            input == u"tree" ? path(QStringLiteral("tr-tree")) : path(QStringLiteral("tr-%1.bin").arg(input));
        if (!QFileInfo::exists(target)) {
            if (input == u"tree")
                QVERIFY(writeTree(target, kPlainTree));
            else
                QVERIFY(ts::writeRandomFile(target, input.toLongLong(), 3));
        }
        const QString out = path(QStringLiteral("tr.torrent"));
        QFile::remove(out);
        QStringList args{QStringLiteral("-s"), QString::number(pieceLength / KiB), QStringLiteral("-o"), out};
        if (isPrivate) // transmission-create refuses a private torrent without a tracker
            args << QStringLiteral("-p") << QStringLiteral("-t")
                 << QStringLiteral("http://127.0.0.1:1/announce");
        const ts::ProcessResult run = ts::runProcess(create_, args << target);
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));

        // transmission-create writes "private" 0 into public torrents; nothing else in info differs.
        std::optional<BencodeValue> theirInfo = decode(infoBytesOf(ts::readAll(out)));
        QVERIFY(theirInfo);
        const BencodeValue* theirPrivate = theirInfo->find("private");
        QVERIFY(theirPrivate);
        QCOMPARE(theirPrivate->toInteger(), qint64(isPrivate ? 1 : 0));
        if (!isPrivate)
            theirInfo->dictionaryRef().erase("private");

        const TorrentCreateResult ours = create(target, pieceLength, isPrivate);
        QVERIFY2(ours.ok(), qPrintable(ours.error));
        QCOMPARE(infoBytesOf(ours.torrent), bencodeEncode(*theirInfo));

        // And transmission reads ours to the same info-hash.
        const QString mine = path(QStringLiteral("ours-for-transmission.torrent"));
        QFile file(mine);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QCOMPARE(file.write(ours.torrent), ours.torrent.size());
        file.close();
        const ts::ProcessResult shown = ts::runProcess(show, {mine});
        QVERIFY2(shown.exitCode == 0, qPrintable(describe(shown)));
        const QByteArray hashLine = QByteArray("Hash: ") + ours.infoHash.toHex();
        QVERIFY2(shown.out.contains(hashLine), shown.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestCreateInterop)
#include "tst_create_interop.moc"
