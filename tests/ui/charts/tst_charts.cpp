// The charts, offscreen: fed known samples, exported as CSV and PNG, bounded with many peers.
#include "SnapshotFixtures.h"
#include "charts/ChartsPanel.h"

#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::testsupport;
using namespace swarmscope::ui;

class TestCharts : public QObject {
    Q_OBJECT
private slots:
    void charts_exportCsvAndPng() {
        ChartsPanel charts;
        charts.resize(600, 700);
        charts.setTimeWindowSeconds(0);
        for (int i = 0; i < 20; ++i) {
            LabPeerSnapshot seeder = peer(1, TorrentRole::Seeder, "1111");
            seeder.uploadRate = 1000;
            LabPeerSnapshot leecher = peer(2, TorrentRole::Leecher, i < 10 ? "1000" : "1100");
            leecher.downloadRate = 1000 + i;
            charts.setSnapshot(snapshot(i * 100, {seeder, leecher}));
        }
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        const QString rates = dir.filePath(QStringLiteral("rates.csv"));
        QVERIFY(charts.exportCsv(ChartsPanel::Chart::Rates, rates));
        QFile ratesFile(rates);
        QVERIFY(ratesFile.open(QIODevice::ReadOnly | QIODevice::Text));
        const QList<QByteArray> rateLines = ratesFile.readAll().trimmed().split('\n');
        QCOMPARE(rateLines.size(), 21);
        QCOMPARE(rateLines[0], QByteArray("time_s,download_bytes_per_s,upload_bytes_per_s"));
        QCOMPARE(rateLines[1], QByteArray("0.000,1000,1000"));
        QCOMPARE(rateLines[20], QByteArray("1.900,1019,1000"));

        const QString completion = dir.filePath(QStringLiteral("completion.csv"));
        QVERIFY(charts.exportCsv(ChartsPanel::Chart::Completion, completion));
        QFile completionFile(completion);
        QVERIFY(completionFile.open(QIODevice::ReadOnly | QIODevice::Text));
        const QList<QByteArray> completionLines = completionFile.readAll().trimmed().split('\n');
        QCOMPARE(completionLines.size(), 21);
        QCOMPARE(completionLines[0], QByteArray("time_s,peer_1,peer_2"));
        QCOMPARE(completionLines[1], QByteArray("0.000,100.00,25.00"));
        QCOMPARE(completionLines[20], QByteArray("1.900,100.00,50.00"));

        const QString availability = dir.filePath(QStringLiteral("availability.csv"));
        QVERIFY(charts.exportCsv(ChartsPanel::Chart::Availability, availability));
        QFile availabilityFile(availability);
        QVERIFY(availabilityFile.open(QIODevice::ReadOnly | QIODevice::Text));
        // Pieces 0 and 1 are on both peers, 2 and 3 on the seeder only.
        QCOMPARE(availabilityFile.readAll(), QByteArray("availability,pieces\n0,0\n1,2\n2,2\n"));

        // A 1-second window keeps the newest second only.
        charts.setTimeWindowSeconds(1);
        QVERIFY(charts.exportCsv(ChartsPanel::Chart::Rates, rates));
        QFile windowed(rates);
        QVERIFY(windowed.open(QIODevice::ReadOnly | QIODevice::Text));
        QCOMPARE(windowed.readAll().trimmed().split('\n').size(), 1 + 11);

        for (ChartsPanel::Chart chart :
             {ChartsPanel::Chart::Rates, ChartsPanel::Chart::Completion, ChartsPanel::Chart::Availability}) {
            const QString png = dir.filePath(QStringLiteral("chart-%1.png").arg(int(chart)));
            QVERIFY(charts.exportPng(chart, png));
            const QImage image(png);
            QVERIFY(!image.isNull());
            QVERIFY(image.width() > 50 && image.height() > 50);
        }
        QVERIFY(!charts.exportCsv(ChartsPanel::Chart::Rates, QStringLiteral("/nonexistent/dir/x.csv")));
    }

    void charts_summariseManyPeersAndStayBounded() {
        ChartsPanel charts;
        QList<LabPeerSnapshot> peers;
        for (int id = 1; id <= 200; ++id)
            peers.append(peer(id, TorrentRole::Leecher, "10000000"));
        for (int i = 0; i < ChartsPanel::kMaxSamples + 50; ++i)
            charts.setSnapshot(snapshot(i * 100, peers));
        charts.setSelectedPeer(7);
        charts.refreshNow();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("rates.csv"));
        charts.setTimeWindowSeconds(0);
        QVERIFY(charts.exportCsv(ChartsPanel::Chart::Rates, path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
        const qsizetype rows = file.readAll().trimmed().split('\n').size() - 1;
        QVERIFY2(rows <= ChartsPanel::kMaxSamples + 1, qPrintable(QString::number(rows)));
        QVERIFY(rows > 100);
    }
};

QTEST_MAIN(TestCharts)
#include "tst_charts.moc"
