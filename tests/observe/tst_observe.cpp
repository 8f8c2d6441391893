// `swarmscope observe --json` on a swarm it does not run: our tracker, a seeder whose upload is capped and a
// leecher, all real processes on 127.0.0.1. The observer must see both peers with the pieces they really
// have, estimate the leecher's rate near the cap that bounds it, and take no data: the seeder sends the file
// exactly once (to the leecher), and the observer writes nothing anywhere.

#include "ChildProcess.h"
#include "InteropLab.h"
#include "InteropSupport.h"
#include "TestSupport.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::interop;

namespace {

QList<QJsonObject> reports(const ChildProcess& observer) {
    QList<QJsonObject> out;
    for (const QByteArray& line : observer.output(ChildProcess::Channel::Out).split('\n')) {
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (doc.isObject())
            out.append(doc.object());
    }
    return out;
}

} // namespace

class ObserveTest : public QObject {
    Q_OBJECT
private slots:
    void observe_showsPiecesAndEstimatesRates_downloadsNothing();
    void observe_badInput_exitsWithTwo_data();
    void observe_badInput_exitsWithTwo();
};

void ObserveTest::observe_showsPiecesAndEstimatesRates_downloadsNothing() {
    InteropLab lab;
    QVERIFY(lab.isValid());
    QString announceUrl;
    QVERIFY2(lab.startOurTracker(QStringLiteral("tracker"), &announceUrl), qPrintable(lab.error()));
    const QString seedDir = lab.makeDir(QStringLiteral("seed"));
    const qint64 size = 8 * 1024 * 1024;
    QVERIFY(testsupport::writeRandomFile(seedDir + QStringLiteral("/observed.bin"), size, 5));
    const QString torrent = lab.path(QStringLiteral("observed.torrent"));
    QString error;
    QVERIFY2(createTorrent(seedDir + QStringLiteral("/observed.bin"), torrent, QStringLiteral("64KiB"),
                           announceUrl, &error),
             qPrintable(error));
    const qint64 cap = 1024 * 1024;
    ChildProcess* seeder = lab.startOurPeer(QStringLiteral("seeder"),
                                            {QStringLiteral("--role"), QStringLiteral("seeder"),
                                             QStringLiteral("--torrent"), torrent, QStringLiteral("--dir"),
                                             seedDir, QStringLiteral("--up"), QStringLiteral("1MiB/s")});
    QVERIFY2(seeder && lab.waitUntilSeeding(*seeder, 20000), qPrintable(lab.error()));

    // The observer runs in a folder of its own, to show it writes nothing.
    const QString observerDir = lab.makeDir(QStringLiteral("observer"));
    ChildProcess* observer =
        lab.spawn(QStringLiteral("observer"), testsupport::swarmscopeExecutable(),
                  {QStringLiteral("observe"), QStringLiteral("--torrent"), torrent, QStringLiteral("--json"),
                   QStringLiteral("--interval"), QStringLiteral("0.5"), QStringLiteral("--duration"),
                   QStringLiteral("11")},
                  observerDir);
    QVERIFY2(observer, qPrintable(lab.error()));
    QTest::qWait(1000);
    const QString leechDir = lab.makeDir(QStringLiteral("leech"));
    ChildProcess* leecher = lab.startOurPeer(
        QStringLiteral("leecher"), {QStringLiteral("--role"), QStringLiteral("leecher"),
                                    QStringLiteral("--torrent"), torrent, QStringLiteral("--dir"), leechDir});
    QVERIFY2(leecher, qPrintable(lab.error()));
    QVERIFY2(observer->waitForExit(30000), qPrintable(observer->describe()));
    QCOMPARE(observer->exitCode(), 0);

    const QList<QJsonObject> seen = reports(*observer);
    QVERIFY2(seen.size() >= 15, qPrintable(QStringLiteral("%1 reports").arg(seen.size())));
    // Some report shows the seeder with every piece and the leecher part-way, at an estimated rate near the
    // seeder's cap (whole pieces over a 10 s window: within 30 %).
    bool sawSeed = false, sawPartial = false;
    double bestRate = 0;
    int lastLeecherHave = 0;
    for (const QJsonObject& report : seen) {
        QCOMPARE(report.value(QStringLiteral("pieces")).toInt(), 128);
        for (const QJsonValue& value : report.value(QStringLiteral("peers")).toArray()) {
            const QJsonObject peer = value.toObject();
            if (!peer.value(QStringLiteral("connected")).toBool())
                continue;
            if (peer.value(QStringLiteral("seed")).toBool()) {
                sawSeed = sawSeed || peer.value(QStringLiteral("have")).toInt() == 128;
                continue;
            }
            const int have = peer.value(QStringLiteral("have")).toInt();
            QVERIFY2(have >= lastLeecherHave, "a leecher's piece count went down");
            lastLeecherHave = have;
            if (have > 0 && have < 128)
                sawPartial = true;
            if (!peer.value(QStringLiteral("estimated_rate")).isNull())
                bestRate = qMax(bestRate, peer.value(QStringLiteral("estimated_rate")).toDouble());
        }
    }
    QVERIFY(sawSeed);
    QVERIFY(sawPartial);
    QVERIFY2(
        bestRate > 0.7 * cap && bestRate < 1.3 * cap,
        qPrintable(QStringLiteral("best estimate %1 B/s against a cap of %2 B/s").arg(bestRate).arg(cap)));

    // It took nothing: the seeder's upload, by its own count, is the leecher's one copy of the file and no
    // more.
    QVERIFY2(leecher->waitForLine(ChildProcess::Channel::Err,
                                  QRegularExpression(QStringLiteral("^downloaded ")), 30000),
             qPrintable(leecher->describe()));
    seeder->stop();
    QByteArray sent;
    for (const QByteArray& line : seeder->output(ChildProcess::Channel::Err).split('\n'))
        if (line.startsWith("summary:"))
            sent = line;
    const QRegularExpressionMatch match =
        QRegularExpression(QStringLiteral("sent (\\d+);")).match(QString::fromUtf8(sent));
    QVERIFY2(match.hasMatch(), sent.constData());
    QCOMPARE(match.captured(1).toLongLong(), size);
    QCOMPARE(QDir(observerDir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
             QStringList());
}

void ObserveTest::observe_badInput_exitsWithTwo_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("neither") << QStringList{}
                             << QStringLiteral("give exactly one of --torrent FILE and --magnet URI");
    QTest::newRow("both") << QStringList{QStringLiteral("--torrent"), QStringLiteral("a.torrent"),
                                         QStringLiteral("--magnet"), QStringLiteral("magnet:?xt=urn:btih:00")}
                          << QStringLiteral("give exactly one");
    QTest::newRow("bad magnet") << QStringList{QStringLiteral("--magnet"), QStringLiteral("magnet:?dn=x")}
                                << QStringLiteral("--magnet");
    QTest::newRow("missing torrent") << QStringList{QStringLiteral("--torrent"),
                                                    QStringLiteral("/nonexistent.torrent")}
                                     << QStringLiteral("/nonexistent.torrent");
    QTest::newRow("bad interval") << QStringList{QStringLiteral("--magnet"),
                                                 QStringLiteral("magnet:?xt=urn:btih:") + QString(40, u'a'),
                                                 QStringLiteral("--interval"), QStringLiteral("0")}
                                  << QStringLiteral("--interval");
    QTest::newRow("bad tracker") << QStringList{QStringLiteral("--magnet"),
                                                QStringLiteral("magnet:?xt=urn:btih:") + QString(40, u'a'),
                                                QStringLiteral("--tracker"),
                                                QStringLiteral("ftp://x/announce")}
                                 << QStringLiteral("--tracker");
    QTest::newRow("magnet without anywhere to ask")
        << QStringList{QStringLiteral("--magnet"), QStringLiteral("magnet:?xt=urn:btih:") + QString(40, u'a')}
        << QStringLiteral("names no tracker");
}

void ObserveTest::observe_badInput_exitsWithTwo() {
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    QProcess process;
    process.start(testsupport::swarmscopeExecutable(), QStringList{QStringLiteral("observe")} + arguments);
    QVERIFY(process.waitForFinished(10000));
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QCOMPARE(process.exitCode(), 2);
    QVERIFY2(err.contains(message), qPrintable(err));
}

QTEST_GUILESS_MAIN(ObserveTest)
#include "tst_observe.moc"
