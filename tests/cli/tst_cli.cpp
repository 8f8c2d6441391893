// The command-line contract of DESIGN.md: exit codes, the one-line error form, inspect --json, verify,
// create, run against the real executable.
#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace swarmscope::testsupport;

class TestCli : public QObject {
    Q_OBJECT
private:
    QString m_exe;
    QString m_fixtures;

    ProcessResult run(const QStringList& args, int timeoutMs = 60000) {
        return runProcess(m_exe, args, timeoutMs);
    }

    static void verifyOneLineError(const ProcessResult& r) {
        QVERIFY2(!r.crashed, r.err.constData());
        QCOMPARE(r.exitCode, 2);
        const QList<QByteArray> lines = r.err.trimmed().split('\n');
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines.first().startsWith("swarmscope: error: "), r.err.constData());
    }

private slots:
    void initTestCase() {
        m_exe = swarmscopeExecutable();
        QVERIFY2(!m_exe.isEmpty(), "SWARMSCOPE_EXECUTABLE does not name the built swarmscope");
        m_fixtures = fixturesDir();
        QVERIFY2(!m_fixtures.isEmpty(), "the shared fixtures folder (../shared/fixtures) is missing");
        m_fixtures += QStringLiteral("/webtorrent");
    }

    void versionAndHelp() {
        ProcessResult r = run({QStringLiteral("--version")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("swarmscope "));
        r = run({QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("swarmscope create PATH"));
        QVERIFY(r.out.contains("swarmscope inspect TORRENT|MAGNET"));
        QVERIFY(r.out.contains("swarmscope verify TORRENT DIR"));
        r = run({QStringLiteral("inspect"), QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("--json"));
    }

    void badInput_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("expected");
        const QString fx = fixturesDir() + QStringLiteral("/webtorrent");
        QTest::newRow("unknown command")
            << QStringList{QStringLiteral("frobnicate")} << QByteArray("unknown command");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("inspect"), QStringLiteral("--bogus"),
                                                       fx + QStringLiteral("/alice.torrent")}
                                        << QByteArray("bogus");
        QTest::newRow("inspect missing arg")
            << QStringList{QStringLiteral("inspect")} << QByteArray("missing");
        QTest::newRow("inspect extra arg")
            << QStringList{QStringLiteral("inspect"), QStringLiteral("a"), QStringLiteral("b")}
            << QByteArray("unexpected argument");
        QTest::newRow("inspect missing file")
            << QStringList{QStringLiteral("inspect"), QStringLiteral("/nonexistent/x.torrent")}
            << QByteArray("no such file (/nonexistent/x.torrent)");
        QTest::newRow("inspect corrupt")
            << QStringList{QStringLiteral("inspect"), fx + QStringLiteral("/corrupt.torrent")}
            << QByteArray("not a valid torrent");
        QTest::newRow("inspect directory")
            << QStringList{QStringLiteral("inspect"), fx} << QByteArray("directory");
        QTest::newRow("inspect not a torrent")
            << QStringList{QStringLiteral("inspect"), fx + QStringLiteral("/alice.txt")}
            << QByteArray("not a valid torrent");
        QTest::newRow("bad magnet") << QStringList{QStringLiteral("inspect"),
                                                   QStringLiteral("magnet:?xt=urn:btih:zz")}
                                    << QByteArray("magnet");
        const QString hash = QStringLiteral("magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567");
        QTest::newRow("peer pex neither on nor off")
            << QStringList{QStringLiteral("peer"),      QStringLiteral("--role"),
                           QStringLiteral("leecher"),   QStringLiteral("--torrent"),
                           QStringLiteral("x.torrent"), QStringLiteral("--pex"),
                           QStringLiteral("maybe")}
            << QByteArray("'maybe' is not on or off (--pex)");
        QTest::newRow("swarm pex neither on nor off")
            << QStringList{QStringLiteral("swarm"), QStringLiteral("--pex"), QStringLiteral("1")}
            << QByteArray("'1' is not on or off (--pex)");
        QTest::newRow("peer bad magnet")
            << QStringList{QStringLiteral("peer"), QStringLiteral("--magnet"), QStringLiteral("magnet:?dn=x")}
            << QByteArray("the link has no info-hash");
        QTest::newRow("peer magnet bad x.pe")
            << QStringList{QStringLiteral("peer"), QStringLiteral("--magnet"),
                           hash + QStringLiteral("&x.pe=1.2.3.4")}
            << QByteArray("is not host:port (--magnet)");
        QTest::newRow("peer magnet x.pe host name")
            << QStringList{QStringLiteral("peer"), QStringLiteral("--magnet"),
                           hash + QStringLiteral("&x.pe=example.org:6881")}
            << QByteArray("not an IP address and port (--magnet)");
        QTest::newRow("peer magnet without peers or trackers")
            << QStringList{QStringLiteral("peer"), QStringLiteral("--magnet"), hash}
            << QByteArray("names no tracker (tr) or peer (x.pe)");
        QTest::newRow("peer magnet and torrent")
            << QStringList{QStringLiteral("peer"), QStringLiteral("--magnet"), hash,
                           QStringLiteral("--torrent"), fx + QStringLiteral("/alice.torrent")}
            << QByteArray("--magnet takes the place of --torrent");
        QTest::newRow("peer magnet as seeder")
            << QStringList{QStringLiteral("peer"), QStringLiteral("--magnet"), hash, QStringLiteral("--role"),
                           QStringLiteral("seeder")}
            << QByteArray("--role must be leecher");
        QTest::newRow("verify missing dir arg")
            << QStringList{QStringLiteral("verify"), fx + QStringLiteral("/alice.torrent")}
            << QByteArray("missing");
        QTest::newRow("verify dir missing")
            << QStringList{QStringLiteral("verify"), fx + QStringLiteral("/alice.torrent"),
                           QStringLiteral("/nonexistent")}
            << QByteArray("/nonexistent");
        QTest::newRow("create missing path")
            << QStringList{QStringLiteral("create"), QStringLiteral("/nonexistent/x")}
            << QByteArray("no such file");
        QTest::newRow("create bad piece size")
            << QStringList{QStringLiteral("create"), fx + QStringLiteral("/alice.txt"),
                           QStringLiteral("--piece-size"), QStringLiteral("lots")}
            << QByteArray("--piece-size");
        QTest::newRow("create piece size not power of two")
            << QStringList{QStringLiteral("create"), fx + QStringLiteral("/alice.txt"),
                           QStringLiteral("--piece-size"), QStringLiteral("100KiB")}
            << QByteArray("--piece-size");
        QTest::newRow("tracker bad udp-listen")
            << QStringList{QStringLiteral("tracker"), QStringLiteral("--udp-listen"),
                           QStringLiteral("nowhere")}
            << QByteArray("'nowhere' is not HOST:PORT such as 127.0.0.1:6969 (--udp-listen)");
        QTest::newRow("peer bad encryption")
            << QStringList{QStringLiteral("peer"),
                           QStringLiteral("--role"),
                           QStringLiteral("leecher"),
                           QStringLiteral("--torrent"),
                           fx + QStringLiteral("/alice.torrent"),
                           QStringLiteral("--encryption"),
                           QStringLiteral("rc4")}
            << QByteArray(
                   "'rc4' is not an encryption policy; use plaintext, prefer or require (--encryption)");
        QTest::newRow("swarm bad encryption")
            << QStringList{QStringLiteral("swarm"), QStringLiteral("--encryption"), QStringLiteral("on")}
            << QByteArray(
                   "'on' is not an encryption policy; use plaintext, prefer or require (--encryption)");
        QTest::newRow("peer udp tracker without port")
            << QStringList{QStringLiteral("peer"),
                           QStringLiteral("--role"),
                           QStringLiteral("leecher"),
                           QStringLiteral("--torrent"),
                           fx + QStringLiteral("/alice.torrent"),
                           QStringLiteral("--tracker"),
                           QStringLiteral("udp://127.0.0.1/announce")}
            << QByteArray("is not an http:// or udp:// tracker URL");
        QTest::newRow("peer file with udp tracker")
            << QStringList{QStringLiteral("peer"),
                           QStringLiteral("--role"),
                           QStringLiteral("leecher"),
                           QStringLiteral("--file"),
                           QStringLiteral("x.txt"),
                           QStringLiteral("--tracker"),
                           QStringLiteral("udp://127.0.0.1:6969/announce")}
            << QByteArray("--file needs an http:// tracker for its catalogue");
        QTest::newRow("create bad tracker")
            << QStringList{QStringLiteral("create"), fx + QStringLiteral("/alice.txt"),
                           QStringLiteral("--tracker"), QStringLiteral("not a url")}
            << QByteArray("--tracker");
    }

    void badInput() {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, expected);
        const ProcessResult r = run(args);
        verifyOneLineError(r);
        QVERIFY2(r.err.contains(expected), r.err.constData());
    }

    void inspectJsonHasTheContractKeys() {
        const ProcessResult r = run({QStringLiteral("inspect"), QStringLiteral("--json"),
                                     m_fixtures + QStringLiteral("/lots-of-numbers.torrent")});
        QCOMPARE(r.exitCode, 0);
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(r.out, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        for (const char* key :
             {"info_hash", "name", "piece_length", "pieces", "total_size", "private", "trackers", "files"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        QCOMPARE(o.value(QStringLiteral("name")).toString(), QStringLiteral("lots-of-numbers"));
        QCOMPARE(o.value(QStringLiteral("info_hash")).toString().size(), 40);
        const QJsonArray files = o.value(QStringLiteral("files")).toArray();
        QCOMPARE(files.size(), 6);
        for (const QJsonValue& f : files) {
            QVERIFY(f.toObject()
                        .value(QStringLiteral("path"))
                        .toString()
                        .startsWith(QStringLiteral("lots-of-numbers/")));
            QVERIFY(f.toObject().contains(QStringLiteral("length")));
        }
    }

    void inspectMatchesLibtorrent_data() {
        QTest::addColumn<QString>("torrent");
        for (const char* name : {"sintel", "bunny", "alice", "leaves", "leaves-metadata", "folder", "numbers",
                                 "lots-of-numbers"})
            QTest::newRow(name) << QString::fromLatin1(name) + QStringLiteral(".torrent");
    }

    // The fields a user compares between clients: info-hash, name, piece length and the file list, as
    // libtorrent (python3-libtorrent, installed by the set-up) reads them from the same file.
    void inspectMatchesLibtorrent() {
        QFETCH(QString, torrent);
        const QString python = QStringLiteral("/usr/bin/python3");
        QVERIFY2(QFileInfo(python).isExecutable(), "/usr/bin/python3 is missing; run cmake/setup-debian.sh");
        const QString script = QStringLiteral(
            "import json, sys, libtorrent as lt\n"
            "ti = lt.torrent_info(sys.argv[1])\n"
            "fs = ti.files()\n"
            "files = [{'path': fs.file_path(i), 'length': fs.file_size(i)} for i in range(fs.num_files())\n"
            "         if not fs.file_flags(i) & lt.file_storage.flag_pad_file]\n"
            "print(json.dumps({'info_hash': str(ti.info_hashes().v1), 'name': ti.name(),\n"
            "                  'piece_length': ti.piece_length(), 'files': files}))\n");
        const QString path = m_fixtures + u'/' + torrent;
        const ProcessResult lt = runProcess(python, {QStringLiteral("-c"), script, path});
        QVERIFY2(lt.exitCode == 0, lt.err.constData());
        const QJsonObject theirs = QJsonDocument::fromJson(lt.out).object();
        const ProcessResult r = run({QStringLiteral("inspect"), QStringLiteral("--json"), path});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject ours = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(ours.value(QStringLiteral("info_hash")), theirs.value(QStringLiteral("info_hash")));
        QCOMPARE(ours.value(QStringLiteral("name")), theirs.value(QStringLiteral("name")));
        QCOMPARE(ours.value(QStringLiteral("piece_length")).toInteger(),
                 theirs.value(QStringLiteral("piece_length")).toInteger());
        const QJsonArray ourFiles = ours.value(QStringLiteral("files")).toArray();
        const QJsonArray theirFiles = theirs.value(QStringLiteral("files")).toArray();
        QCOMPARE(ourFiles.size(), theirFiles.size());
        for (qsizetype i = 0; i < ourFiles.size(); ++i) {
            QCOMPARE(ourFiles.at(i).toObject().value(QStringLiteral("path")).toString(),
                     theirFiles.at(i).toObject().value(QStringLiteral("path")).toString());
            QCOMPARE(ourFiles.at(i).toObject().value(QStringLiteral("length")).toInteger(),
                     theirFiles.at(i).toObject().value(QStringLiteral("length")).toInteger());
        }
    }

    void inspectTextAndMagnet() {
        ProcessResult r = run({QStringLiteral("inspect"), m_fixtures + QStringLiteral("/alice.torrent")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("alice.txt"));
        r = run(
            {QStringLiteral("inspect"), QStringLiteral("--json"),
             QStringLiteral(
                 "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=x&tr=http%3A%2F%2Ft%2Fa")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value(QStringLiteral("info_hash")).toString(),
                 QStringLiteral("0123456789abcdef0123456789abcdef01234567"));
        QCOMPARE(o.value(QStringLiteral("trackers")).toArray().first().toString(),
                 QStringLiteral("http://t/a"));
    }

    void verifyShippedContent_data() {
        QTest::addColumn<QString>("torrent");
        QTest::newRow("alice") << QStringLiteral("alice.torrent");
        QTest::newRow("leaves") << QStringLiteral("leaves.torrent");
        QTest::newRow("folder") << QStringLiteral("folder.torrent");
        QTest::newRow("numbers") << QStringLiteral("numbers.torrent");
        QTest::newRow("lots-of-numbers") << QStringLiteral("lots-of-numbers.torrent");
    }

    void verifyShippedContent() {
        QFETCH(QString, torrent);
        const ProcessResult r = run({QStringLiteral("verify"), m_fixtures + u'/' + torrent, m_fixtures});
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }

    void verifyReportsCorruption() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(QFile::copy(m_fixtures + QStringLiteral("/alice.txt"),
                            dir.filePath(QStringLiteral("alice.txt"))));
        QFile file(dir.filePath(QStringLiteral("alice.txt")));
        QVERIFY(file.open(QIODevice::ReadWrite));
        file.seek(100);
        file.write("X");
        file.close();
        const ProcessResult r =
            run({QStringLiteral("verify"), m_fixtures + QStringLiteral("/alice.torrent"), dir.path()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains("1 of") || r.err.contains("1 of"), QByteArray(r.out + r.err).constData());
    }

    void createThenInspectAndVerify() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString data = dir.filePath(QStringLiteral("sample.bin"));
        QVERIFY(writeRandomFile(data, 3 * 1024 * 1024 + 17));
        const QString out = dir.filePath(QStringLiteral("sample.torrent"));
        ProcessResult r =
            run({QStringLiteral("create"), data, QStringLiteral("-o"), out, QStringLiteral("--piece-size"),
                 QStringLiteral("64KiB"), QStringLiteral("--tracker"),
                 QStringLiteral("http://127.0.0.1:6969/announce"), QStringLiteral("--no-date")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.startsWith("info-hash: "));
        const QByteArray hash = r.out.trimmed().mid(11);
        QCOMPARE(hash.size(), 40);

        r = run({QStringLiteral("inspect"), QStringLiteral("--json"), out});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value(QStringLiteral("info_hash")).toString().toLatin1(), hash);
        QCOMPARE(o.value(QStringLiteral("piece_length")).toInteger(), 65536);
        QCOMPARE(o.value(QStringLiteral("total_size")).toInteger(), 3 * 1024 * 1024 + 17);
        QCOMPARE(o.value(QStringLiteral("pieces")).toInteger(), 49);
        QCOMPARE(o.value(QStringLiteral("trackers")).toArray().first().toString(),
                 QStringLiteral("http://127.0.0.1:6969/announce"));

        r = run({QStringLiteral("verify"), out, dir.path()});
        QVERIFY2(r.exitCode == 0, r.err.constData());

        // Same content, same options: the same bytes.
        const QString again = dir.filePath(QStringLiteral("again.torrent"));
        r = run({QStringLiteral("create"), data, QStringLiteral("-o"), again, QStringLiteral("--piece-size"),
                 QStringLiteral("64KiB"), QStringLiteral("--tracker"),
                 QStringLiteral("http://127.0.0.1:6969/announce"), QStringLiteral("--no-date")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(readAll(again), readAll(out));
    }

    void pipedProgressIsPlainLines() {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("big.bin"));
        QVERIFY(writeRandomFile(data, 64 * 1024 * 1024));
        const ProcessResult r = run({QStringLiteral("create"), data, QStringLiteral("-o"),
                                     dir.filePath(QStringLiteral("big.torrent"))});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(!r.err.contains('\r'), "a pipe must not get carriage-return redraws");
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
