// The charts, offscreen: fed known samples, exported as CSV and PNG (at twice the pixels, at a size of
// their own), bounded with many peers, scaled to what the window shows now with human axis labels, and
// following the panel's font.
#include "SnapshotFixtures.h"
#include "charts/ChartValueAxis.h"
#include "charts/ChartsPanel.h"

#include <QChart>
#include <QChartView>
#include <QFile>
#include <QImage>
#include <QLineSeries>
#include <QTemporaryDir>
#include <QTest>
#include <QValueAxis>

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

    void charts_rescaleToWhatTheWindowShowsNow() {
        ChartsPanel charts;
        charts.setTimeWindowSeconds(30);
        // A 100 MiB/s spike, then three minutes under a 20 KiB/s cap.
        auto feed = [&](qint64 fromMs, qint64 toMs, qint64 rate) {
            for (qint64 t = fromMs; t < toMs; t += 100) {
                LabPeerSnapshot p = peer(1, TorrentRole::Leecher, "10");
                p.downloadRate = rate;
                p.uploadRate = rate;
                charts.setSnapshot(snapshot(t, {p}));
            }
        };
        feed(0, 2000, 100LL * 1024 * 1024);
        charts.refreshNow();
        QCOMPARE(charts.rateAxisTitle(), QStringLiteral("MiB/s"));
        QVERIFY(charts.rateScale().top >= 100 && charts.rateScale().top <= 125);
        feed(2000, 20000, 20 * 1024);
        charts.refreshNow();
        QCOMPARE(charts.rateAxisTitle(), QStringLiteral("MiB/s")); // the spike is still in the window
        feed(20000, 200000, 20 * 1024);
        charts.refreshNow();
        // Gone from the window: the axis fits the cap, so its effect can be seen.
        QCOMPARE(charts.rateAxisTitle(), QStringLiteral("KiB/s"));
        QVERIFY2(charts.rateScale().top >= 20 && charts.rateScale().top <= 25,
                 qPrintable(QString::number(charts.rateScale().top)));
        QCOMPARE(charts.rateAxisLabels(),
                 (QStringList{QStringLiteral("0"), QStringLiteral("5"), QStringLiteral("10"),
                              QStringLiteral("15"), QStringLiteral("20"), QStringLiteral("25")}));
        // The series are in the axis's unit.
        QCOMPARE(charts.downloadSeries()->points().last().y(), 20.0);
    }

    void charts_axisLabelsAreHuman_data() {
        QTest::addColumn<qint64>("rate");
        QTest::addColumn<QString>("unit");
        QTest::addColumn<QString>("top");
        QTest::newRow("1000 KiB/s reads in MiB/s, not 1e+03") << qint64(1000 * 1024) << "MiB/s"
                                                              << "1.0";
        QTest::newRow("idle") << qint64(0) << "KiB/s"
                              << "1.0";
        QTest::newRow("300 KiB/s") << qint64(300 * 1024) << "KiB/s"
                                   << "400";
        QTest::newRow("2.2 MiB/s") << qint64(2.2 * 1024 * 1024) << "MiB/s"
                                   << "2.5";
        QTest::newRow("5 GiB/s") << qint64(5) * 1024 * 1024 * 1024 << "GiB/s"
                                 << "6";
    }

    void charts_axisLabelsAreHuman() {
        QFETCH(qint64, rate);
        QFETCH(QString, unit);
        QFETCH(QString, top);
        ChartsPanel charts;
        for (int i = 0; i < 10; ++i) {
            LabPeerSnapshot p = peer(1, TorrentRole::Leecher, "10");
            p.downloadRate = rate;
            charts.setSnapshot(snapshot(i * 100, {p}));
        }
        charts.refreshNow();
        QCOMPARE(charts.rateAxisTitle(), unit);
        const QStringList labels = charts.rateAxisLabels();
        QCOMPARE(labels.last(), top);
        for (const QString& label : labels)
            QVERIFY2(!label.contains(u'e') && label.size() <= 4, qPrintable(label));
    }

    void charts_niceScalesAreRound() {
        const AxisScale a = niceScale(999.9);
        QCOMPARE(a.top, 1000.0);
        QCOMPARE(a.step, 200.0);
        QCOMPARE(a.decimals, 0);
        const AxisScale b = niceScale(2.2);
        QCOMPARE(b.top, 2.5);
        QCOMPARE(b.decimals, 1);
        const AxisScale c = niceScale(7, 5, true);
        QCOMPARE(c.step, 2.0);
        QCOMPARE(c.top, 8.0);
        QCOMPARE(rateUnitFor(999.0 * 1024).name, QStringLiteral("KiB/s"));
        QCOMPARE(rateUnitFor(1000.0 * 1024).name, QStringLiteral("MiB/s"));
    }

    void charts_exportAtTwiceThePixelsAtASizeOfTheirOwn() {
        ChartsPanel charts;
        charts.resize(428, 413); // the size the teacher's dock gave them
        charts.show();
        QVERIFY(QTest::qWaitForWindowExposed(&charts));
        for (int i = 0; i < 30; ++i) {
            LabPeerSnapshot p = peer(1, TorrentRole::Leecher, i < 15 ? "10" : "11");
            p.downloadRate = 1000 * i;
            charts.setSnapshot(snapshot(i * 100, {p}));
        }
        QTemporaryDir dir;
        for (ChartsPanel::Chart chart :
             {ChartsPanel::Chart::Rates, ChartsPanel::Chart::Completion, ChartsPanel::Chart::Availability}) {
            const QString png = dir.filePath(QStringLiteral("chart-%1.png").arg(int(chart)));
            QVERIFY(charts.exportPng(chart, png));
            const QImage image(png);
            QCOMPARE(image.size(), ChartsPanel::kExportSize * 2);
            // The plot was laid out at the picture's size: its axis reaches the right part of the picture.
            int rightmostDark = 0;
            for (int x = image.width() - 1; x > 0 && rightmostDark == 0; --x)
                for (int y = image.height() / 4; y < image.height() * 3 / 4; y += 3)
                    if (qGray(image.pixel(x, y)) < 160) {
                        rightmostDark = x;
                        break;
                    }
            QVERIFY2(rightmostDark > image.width() * 3 / 4, qPrintable(QString::number(rightmostDark)));
        }
        // And the panel on screen kept its size.
        QCOMPARE(charts.size(), QSize(428, 413));
        QVERIFY(charts.exportPng(ChartsPanel::Chart::Rates, dir.filePath(QStringLiteral("small.png")),
                                 QSize(400, 300)));
        QCOMPARE(QImage(dir.filePath(QStringLiteral("small.png"))).size(), QSize(800, 600));
    }

    void charts_followThePanelsFont() {
        ChartsPanel charts;
        QFont big = charts.font();
        big.setPointSizeF(big.pointSizeF() * 2);
        charts.setFont(big);
        QChart* chart = charts.chartView(ChartsPanel::Chart::Rates)->chart();
        for (QAbstractAxis* axis : chart->axes())
            QCOMPARE(axis->labelsFont().pointSizeF(), big.pointSizeF());
        QCOMPARE(chart->legend()->font().pointSizeF(), big.pointSizeF());
    }
};

QTEST_MAIN(TestCharts)
#include "tst_charts.moc"
