// `swarmscope swarm` as DESIGN.md specifies it: the JSON results, the summary, timeouts, signals, and one
// clear line for bad input. Runs the real executable (SWARMSCOPE_EXECUTABLE).
#include "TestSupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <unistd.h>

using namespace swarmscope::testsupport;

namespace {

QJsonObject readJson(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

class TestSwarmCli : public QObject {
    Q_OBJECT
private:
    QString m_exe;
    QTemporaryDir m_dir;

    ProcessResult swarm(const QStringList& args, int timeoutMs = 60000) {
        return runProcess(m_exe, QStringList{QStringLiteral("swarm")} + args, timeoutMs, m_dir.path());
    }

private slots:
    void initTestCase() {
        m_exe = swarmscopeExecutable();
        QVERIFY2(!m_exe.isEmpty(), "SWARMSCOPE_EXECUTABLE does not name the built swarmscope");
        QVERIFY(m_dir.isValid());
        const ProcessResult r = swarm({QStringLiteral("--help")});
        QVERIFY2(r.exitCode == 0 && r.out.contains("--leechers"),
                 "`swarmscope swarm` is not available (is runSwarm registered in app/main.cpp?)");
    }

    void generatedFile_completesVerifiedWithJson() {
        const QString json = m_dir.filePath(QStringLiteral("out.json"));
        const ProcessResult r =
            swarm({QStringLiteral("--leechers"), QStringLiteral("3"), QStringLiteral("--size"),
                   QStringLiteral("2MiB"), QStringLiteral("--json"), json});
        QVERIFY2(!r.crashed && r.exitCode == 0, r.err.constData());
        const QJsonObject o = readJson(json);
        for (const char* key : {"file_size", "piece_size", "seeders", "leechers", "completion_s",
                                "max_completion_s", "bound_s", "ratio", "verified"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        QCOMPARE(o.value(QStringLiteral("file_size")).toDouble(), 2.0 * 1024 * 1024);
        QVERIFY(o.value(QStringLiteral("piece_size")).toDouble() >= 16 * 1024);
        QCOMPARE(o.value(QStringLiteral("seeders")).toInt(), 1);
        QCOMPARE(o.value(QStringLiteral("leechers")).toInt(), 3);
        const QJsonArray completions = o.value(QStringLiteral("completion_s")).toArray();
        QCOMPARE(completions.size(), 3);
        double max = 0;
        for (const QJsonValue& v : completions) {
            QVERIFY(v.isDouble() && v.toDouble() >= 0);
            max = qMax(max, v.toDouble());
        }
        QCOMPARE(o.value(QStringLiteral("max_completion_s")).toDouble(), max);
        // Nothing is capped: the bound is undefined, and so is the ratio.
        QVERIFY(o.value(QStringLiteral("bound_s")).isNull());
        QVERIFY(o.value(QStringLiteral("ratio")).isNull());
        QCOMPARE(o.value(QStringLiteral("verified")).toBool(), true);
        QVERIFY(o.value(QStringLiteral("rss_per_peer_bytes")).toDouble() > 0);
        QVERIFY(o.value(QStringLiteral("cpu_s")).toDouble() > 0);
        // The summary table on stdout.
        QVERIFY(r.out.contains("completion_s"));
        QVERIFY(r.out.contains("verified: yes"));
    }

    // Both ends of every loopback connection are in this process: a lab must fit its swarm into the open-file
    // limit it finds, and say how. 150 peers under 1024 descriptors get 2 connections each, and complete.
    void openFileLimit_theSwarmFitsAndTheSummarySaysHow() {
        const ProcessResult r =
            runProcess(QStringLiteral("prlimit"),
                       {QStringLiteral("--nofile=1024:1024"), m_exe, QStringLiteral("swarm"),
                        QStringLiteral("--leechers"), QStringLiteral("149"), QStringLiteral("--size"),
                        QStringLiteral("1MiB"), QStringLiteral("--piece-size"), QStringLiteral("16KiB")},
                       120000, m_dir.path());
        QVERIFY2(!r.crashed && r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("verified: yes (149 of 149"), r.out.constData());
        QVERIFY2(r.out.contains("connections: at most 2 per peer to fit 1024 open files"), r.out.constData());
    }

    void cappedSwarm_reportsBoundAndRatio() {
        const QString json = m_dir.filePath(QStringLiteral("capped.json"));
        // F = 1 MiB, u_s = 1 MiB/s, 2 leechers at 512 KiB/s: every term is 1 s.
        const ProcessResult r =
            swarm({QStringLiteral("--leechers"), QStringLiteral("2"), QStringLiteral("--size"),
                   QStringLiteral("1MiB"), QStringLiteral("--piece-size"), QStringLiteral("16KiB"),
                   QStringLiteral("--seed-up"), QStringLiteral("1MiB/s"), QStringLiteral("--up"),
                   QStringLiteral("512KiB/s"), QStringLiteral("--latency"), QStringLiteral("5"),
                   QStringLiteral("--json"), json});
        QVERIFY2(!r.crashed && r.exitCode == 0, r.err.constData());
        const QJsonObject o = readJson(json);
        QCOMPARE(o.value(QStringLiteral("piece_size")).toDouble(), 16.0 * 1024);
        QCOMPARE(o.value(QStringLiteral("bound_s")).toDouble(), 1.0);
        const double max = o.value(QStringLiteral("max_completion_s")).toDouble();
        QVERIFY(max >= 0.9);
        QVERIFY(std::abs(o.value(QStringLiteral("ratio")).toDouble() - max) < 0.01);
        QCOMPARE(o.value(QStringLiteral("verified")).toBool(), true);
    }

    // --timeline: a CSV row per peer per sample. A capped seeder's bytes count as uploaded when they leave,
    // not when they are queued: at every sample it has sent no more than its cap allows plus a small queue.
    void timeline_recordsEveryPeerAndCountsBytesAsTheyLeave() {
        const QString csv = m_dir.filePath(QStringLiteral("timeline.csv"));
        const ProcessResult r =
            swarm({QStringLiteral("--leechers"), QStringLiteral("12"), QStringLiteral("--size"),
                   QStringLiteral("4MiB"), QStringLiteral("--piece-size"), QStringLiteral("64KiB"),
                   QStringLiteral("--seed-up"), QStringLiteral("1MiB/s"), QStringLiteral("--timeline"), csv});
        QVERIFY2(!r.crashed && r.exitCode == 0, r.err.constData());
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly | QIODevice::Text));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QCOMPARE(lines.first(), QByteArray("time_s,peer,role,state,pieces,piece_count,downloaded,uploaded,"
                                           "download_rate,upload_rate,wasted,connections"));
        QHash<int, QList<QByteArray>> last; // the last row of each peer
        double previousTime = -1;
        int samples = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            if (lines[i].isEmpty())
                continue;
            const QList<QByteArray> cells = lines[i].split(',');
            QCOMPARE(cells.size(), 12);
            const double time = cells[0].toDouble();
            QVERIFY(time >= previousTime);
            if (time > previousTime)
                ++samples;
            previousTime = time;
            const int peer = cells[1].toInt();
            last[peer] = cells;
            if (cells[2] == "seeder") {
                const double uploaded = cells[7].toDouble();
                const double allowed = 1024.0 * 1024 * (time + 1.0); // the cap, plus 1 s of queue and burst
                QVERIFY2(uploaded <= allowed,
                         qPrintable(QStringLiteral("seeder sent %1 bytes by %2 s").arg(uploaded).arg(time)));
            }
        }
        QVERIFY2(samples >= 3, qPrintable(QString::number(samples)));
        QCOMPARE(last.size(), 13);
        qint64 uploaded = 0;
        for (const QList<QByteArray>& cells : std::as_const(last)) {
            QCOMPARE(cells[4], cells[5]); // every peer ends with every piece
            QCOMPARE(cells[3], QByteArray("seeding"));
            uploaded += cells[7].toLongLong();
        }
        QVERIFY(uploaded >= 12LL * 4 * 1024 * 1024); // each leecher got the whole file from someone
    }

    void timeout_writesWhatIsKnownAndFails() {
        const QString json = m_dir.filePath(QStringLiteral("timeout.json"));
        const ProcessResult r =
            swarm({QStringLiteral("--leechers"), QStringLiteral("2"), QStringLiteral("--size"),
                   QStringLiteral("4MiB"), QStringLiteral("--seed-up"), QStringLiteral("64KiB/s"),
                   QStringLiteral("--timeout"), QStringLiteral("1.5"), QStringLiteral("--json"), json});
        QVERIFY(!r.crashed);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("swarmscope: error: "), r.err.constData());
        const QJsonObject o = readJson(json);
        QCOMPARE(o.value(QStringLiteral("timed_out")).toBool(), true);
        QCOMPARE(o.value(QStringLiteral("verified")).toBool(), false);
        QVERIFY(o.value(QStringLiteral("max_completion_s")).isNull());
        const QJsonArray completions = o.value(QStringLiteral("completion_s")).toArray();
        QCOMPARE(completions.size(), 2);
        QVERIFY(completions.at(0).isNull());
        QVERIFY(o.value(QStringLiteral("bound_s")).toDouble() > 60);
    }

    void sigterm_stopsCleanly() {
        QProcess p;
        p.setWorkingDirectory(m_dir.path());
        p.start(m_exe, {QStringLiteral("swarm"), QStringLiteral("--leechers"), QStringLiteral("2"),
                        QStringLiteral("--size"), QStringLiteral("4MiB"), QStringLiteral("--seed-up"),
                        QStringLiteral("64KiB/s")});
        QVERIFY(p.waitForStarted(5000));
        QTest::qWait(1500);
        p.terminate();
        QVERIFY(p.waitForFinished(15000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardError().contains("interrupted"));
    }

    void badInput_data() {
        QTest::addColumn<QStringList>("args");
        const auto row = [](const char* name, const QStringList& args) { QTest::newRow(name) << args; };
        row("no leechers", {QStringLiteral("--leechers"), QStringLiteral("0")});
        row("negative leechers", {QStringLiteral("--leechers"), QStringLiteral("-3")});
        row("non-numeric seeders", {QStringLiteral("--seeders"), QStringLiteral("many")});
        row("too many peers", {QStringLiteral("--leechers"), QStringLiteral("5000")});
        row("too many peers together", {QStringLiteral("--seeders"), QStringLiteral("500"),
                                        QStringLiteral("--leechers"), QStringLiteral("501")});
        row("too many simulated peers", {QStringLiteral("--time"), QStringLiteral("simulated"),
                                         QStringLiteral("--leechers"), QStringLiteral("10001")});
        row("size and file", {QStringLiteral("--size"), QStringLiteral("1MiB"), QStringLiteral("--file"),
                              QStringLiteral("x.bin")});
        row("bad size", {QStringLiteral("--size"), QStringLiteral("huge")});
        row("zero size", {QStringLiteral("--size"), QStringLiteral("0")});
        row("missing file", {QStringLiteral("--file"), QStringLiteral("/nonexistent/data.bin")});
        row("bad piece size", {QStringLiteral("--piece-size"), QStringLiteral("100000")});
        row("bad rate", {QStringLiteral("--up"), QStringLiteral("fast")});
        row("negative latency", {QStringLiteral("--latency"), QStringLiteral("-5")});
        row("zero timeout", {QStringLiteral("--timeout"), QStringLiteral("0")});
        row("json in a missing directory",
            {QStringLiteral("--json"), QStringLiteral("/nonexistent/dir/out.json")});
        row("timeline in a missing directory",
            {QStringLiteral("--timeline"), QStringLiteral("/nonexistent/dir/t.csv")});
        row("timeline is a directory", {QStringLiteral("--timeline"), QStringLiteral("/tmp")});
        row("timeline and json in one file", {QStringLiteral("--timeline"), QStringLiteral("same.out"),
                                              QStringLiteral("--json"), QStringLiteral("same.out")});
        row("unknown option", {QStringLiteral("--bogus")});
        row("positional", {QStringLiteral("data.bin")});
    }

    void badInput() {
        QFETCH(QStringList, args);
        const ProcessResult r = swarm(args, 20000);
        QVERIFY(!r.crashed);
        QCOMPARE(r.exitCode, 2);
        const QList<QByteArray> lines = r.err.trimmed().split('\n');
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines.first().startsWith("swarmscope: error: "), r.err.constData());
    }

    void unreadableFile_isBadInput() {
        if (::geteuid() == 0)
            QSKIP("root reads any file");
        const QString path = m_dir.filePath(QStringLiteral("secret.bin"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("data");
        f.close();
        f.setPermissions(QFileDevice::Permissions());
        QCOMPARE(swarm({QStringLiteral("--file"), path}).exitCode, 2);
    }

    void userFile_isShared() {
        const QString path = m_dir.filePath(QStringLiteral("shared file.bin"));
        QVERIFY(writeRandomFile(path, 300 * 1024, 3));
        const QString json = m_dir.filePath(QStringLiteral("file.json"));
        const ProcessResult r =
            swarm({QStringLiteral("--file"), path, QStringLiteral("--leechers"), QStringLiteral("2"),
                   QStringLiteral("--seeders"), QStringLiteral("2"), QStringLiteral("--json"), json});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject o = readJson(json);
        QCOMPARE(o.value(QStringLiteral("file_size")).toDouble(), 300.0 * 1024);
        QCOMPARE(o.value(QStringLiteral("seeders")).toInt(), 2);
        QCOMPARE(o.value(QStringLiteral("verified")).toBool(), true);
        QVERIFY(QFile::exists(path)); // the user's file is left alone
    }
};

QTEST_GUILESS_MAIN(TestSwarmCli)
#include "tst_swarmcli.moc"
