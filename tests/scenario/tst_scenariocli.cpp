// `swarmscope swarm --scenario FILE`, the real executable (SWARMSCOPE_EXECUTABLE): the same JSON and timeline
// contract as `swarm`, byte-identical outputs for the same file and seed in simulated time, --seed and --time
// over the file's, and one clear line with exit code 2 for a bad file or flags that do not go with a file.
#include "TestSupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace swarmscope::testsupport;

namespace {

const char* kScenario = R"(name = "small"
[content]
size = "1MiB"
piece-size = "32KiB"

[time]
mode = "simulated"
seed = 5

[groups.seeder]
role = "seeder"
count = 1
up = "512KiB/s"

[groups.leechers]
role = "leecher"
count = 5
arrival = "interval"
interval = "500ms"
latency = "20ms"
up = "128KiB/s"

[[actions]]
when = { completed = 0.4 }
do = "set-link"
target = "seeder"
up = "1MiB/s"

[stop]
time-limit = "5min"
)";

const char* kBad = R"([content]
size = "1MiB"

[groups.seeder]
role = "seeder"
count = 1
latncy = "20ms"
)";

} // namespace

class TestScenarioCli : public QObject {
    Q_OBJECT
private:
    QString m_exe;
    QTemporaryDir m_dir;
    QString m_file;

    ProcessResult swarm(const QStringList& args, int timeoutMs = 120000) {
        return runProcess(m_exe, QStringList{QStringLiteral("swarm")} + args, timeoutMs, m_dir.path());
    }
    QString write(const QString& name, const char* text) {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (f.open(QIODevice::WriteOnly))
            f.write(text);
        return path;
    }

private slots:
    void initTestCase() {
        m_exe = swarmscopeExecutable();
        QVERIFY2(!m_exe.isEmpty(), "SWARMSCOPE_EXECUTABLE does not name the built swarmscope");
        QVERIFY(m_dir.isValid());
        m_file = write(QStringLiteral("small.toml"), kScenario);
    }

    void simulated_sameSeedGivesIdenticalOutputs() {
        QByteArray json[2];
        QByteArray timeline[2];
        for (int i = 0; i < 2; ++i) {
            const QString j = m_dir.filePath(QStringLiteral("run%1.json").arg(i));
            const QString t = m_dir.filePath(QStringLiteral("run%1.csv").arg(i));
            const ProcessResult r = swarm({QStringLiteral("--scenario"), m_file, QStringLiteral("--json"), j,
                                           QStringLiteral("--timeline"), t});
            QVERIFY2(!r.crashed && r.exitCode == 0, r.err.constData());
            QVERIFY(r.out.contains("verified: yes"));
            json[i] = readAll(j);
            timeline[i] = readAll(t);
        }
        QVERIFY(!json[0].isEmpty() && !timeline[0].isEmpty());
        QCOMPARE(json[1], json[0]);
        QCOMPARE(timeline[1], timeline[0]);

        const QJsonObject o = QJsonDocument::fromJson(json[0]).object();
        for (const char* key : {"file_size", "piece_size", "seeders", "leechers", "completion_s",
                                "max_completion_s", "bound_s", "ratio", "verified"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        QCOMPARE(o.value(QStringLiteral("file_size")).toDouble(), 1024.0 * 1024);
        QCOMPARE(o.value(QStringLiteral("piece_size")).toDouble(), 32.0 * 1024);
        QCOMPARE(o.value(QStringLiteral("seeders")).toInt(), 1);
        QCOMPARE(o.value(QStringLiteral("leechers")).toInt(), 5);
        QCOMPARE(o.value(QStringLiteral("completion_s")).toArray().size(), 5);
        QCOMPARE(o.value(QStringLiteral("verified")).toBool(), true);
        QCOMPARE(o.value(QStringLiteral("time")).toString(), QStringLiteral("simulated"));
        QCOMPARE(o.value(QStringLiteral("seed")).toInt(), 5);
        QCOMPARE(o.value(QStringLiteral("stop")).toString(), QStringLiteral("leechers-complete"));
        // The condition fired, at a time the JSON records.
        const QJsonObject action = o.value(QStringLiteral("actions")).toArray().first().toObject();
        QVERIFY(action.value(QStringLiteral("at_s")).toDouble() > 0);
        QVERIFY(timeline[0].startsWith("time_s,peer,role,state,pieces"));
    }

    void commandLine_overridesSeedAndTime() {
        const QString j = m_dir.filePath(QStringLiteral("seeded.json"));
        ProcessResult r = swarm({QStringLiteral("--scenario"), m_file, QStringLiteral("--seed"),
                                 QStringLiteral("77"), QStringLiteral("--json"), j});
        QVERIFY2(!r.crashed && r.exitCode == 0, r.err.constData());
        QCOMPARE(QJsonDocument::fromJson(readAll(j)).object().value(QStringLiteral("seed")).toInt(), 77);

        const QString real = m_dir.filePath(QStringLiteral("real.json"));
        r = swarm({QStringLiteral("--scenario"), m_file, QStringLiteral("--time"), QStringLiteral("real"),
                   QStringLiteral("--json"), real});
        QVERIFY2(!r.crashed && r.exitCode == 0, r.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(readAll(real)).object();
        QCOMPARE(o.value(QStringLiteral("time")).toString(), QStringLiteral("real"));
        QCOMPARE(o.value(QStringLiteral("verified")).toBool(), true);
        QVERIFY(o.contains(QStringLiteral("wall_s")));
    }

    void badFile_oneLineWithFileLineAndKey() {
        const QString bad = write(QStringLiteral("bad.toml"), kBad);
        const ProcessResult r = swarm({QStringLiteral("--scenario"), bad});
        QVERIFY(!r.crashed);
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.startsWith("swarmscope: error: unknown key 'latncy'; did you mean 'latency'?"),
                 r.err.constData());
        QVERIFY2(r.err.contains("(bad.toml:7: groups.seeder.latncy)"), r.err.constData());

        const ProcessResult missing =
            swarm({QStringLiteral("--scenario"), m_dir.filePath(QStringLiteral("no.toml"))});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.startsWith("swarmscope: error: "));
    }

    void mixedFlags_areRefused() {
        for (const QStringList& extra : {QStringList{QStringLiteral("--leechers"), QStringLiteral("3")},
                                         QStringList{QStringLiteral("--size"), QStringLiteral("1MiB")},
                                         QStringList{QStringLiteral("--no-choker")},
                                         QStringList{QStringLiteral("--time"), QStringLiteral("real"),
                                                     QStringLiteral("--speed"), QStringLiteral("2")}}) {
            const ProcessResult r = swarm(QStringList{QStringLiteral("--scenario"), m_file} + extra);
            QVERIFY(!r.crashed);
            QCOMPARE(r.exitCode, 2);
            QCOMPARE(r.err.count('\n'), 1);
            const QString flag = extra.size() > 2 ? extra.at(2) : extra.first();
            QVERIFY2(r.err.contains(QString(u'(' + flag + u')').toUtf8()), r.err.constData());
        }
    }

    // `swarmscope experiment`: the list, a clear error for a name it does not know, and the files of a run.
    void experiment_listUnknownAndOutputs() {
        ProcessResult r = runProcess(m_exe, {QStringLiteral("experiment"), QStringLiteral("--list")}, 30000);
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("rarest-vs-random") && r.out.contains("free-riders") &&
                r.out.contains("flash-crowd-bound"));

        r = runProcess(m_exe, {QStringLiteral("experiment"), QStringLiteral("nope")}, 30000);
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err,
                 QByteArray("swarmscope: error: no experiment named 'nope'; 'swarmscope experiment --list' "
                            "lists them (nope)\n"));

        const QString out = m_dir.filePath(QStringLiteral("rvr"));
        r = runProcess(m_exe,
                       {QStringLiteral("experiment"), QStringLiteral("rarest-vs-random"),
                        QStringLiteral("--runs"), QStringLiteral("1"), QStringLiteral("--out"), out},
                       120000);
        QVERIFY2(!r.crashed && r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("verdict: "));
        const QJsonObject results =
            QJsonDocument::fromJson(readAll(out + QStringLiteral("/results.json"))).object();
        QCOMPARE(results.value(QStringLiteral("experiment")).toString(), QStringLiteral("rarest-vs-random"));
        QCOMPARE(results.value(QStringLiteral("runs")).toArray().size(), 2);
        QVERIFY(readAll(out + QStringLiteral("/runs.csv")).startsWith("picker,seed,"));
        if (!r.out.contains("plots: none")) {
            for (const char* png : {"/availability.png", "/completion.png"})
                QVERIFY(readAll(out + QLatin1String(png)).startsWith("\x89PNG"));
        }
    }
};

QTEST_GUILESS_MAIN(TestScenarioCli)
#include "tst_scenariocli.moc"
