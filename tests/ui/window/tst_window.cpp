// The main window's other duties, driven as a user would: the peer context menu acting on the lab, the
// charts saved as PNG and CSV after a real run, and what the window remembers between starts (layout,
// folders, where the lab keeps its files).
#include "TestSupport.h"
#include "WindowDriver.h"
#include "charts/ChartsPanel.h"
#include "dialogs/CreateTorrentDialog.h"
#include "piecemap/PieceMapWidget.h"
#include "shared/LabController.h"
#include "window/ControlPanel.h"
#include "window/EmptySwarmOverlay.h"
#include "window/MainWindow.h"
#include "window/PeerActions.h"
#include "window/TorrentImporter.h"

#include "swarm/SwarmLab.h"

#include <QDialog>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QImage>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace swarmscope;
using namespace swarmscope::testsupport;
using namespace swarmscope::ui;

class TestWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init() { QSettings().clear(); }

    void peerContextMenuPausesKillsRestartsRelinksAndRemoves() {
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        window.resize(1280, 720);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        DemoSettings demo;
        demo.fileSize = 4 * 1024 * 1024;
        demo.pieceLength = 32 * 1024;
        demo.leechers = 2;
        demo.seederUploadRate = 256 * 1024; // slow enough that the leechers are still at it
        demo.leecherUploadRate = 128 * 1024;
        QSignalSpy started(window.controller(), &LabController::demoStarted);
        window.startDemoWith(demo);
        QVERIFY(started.wait(30000));
        QTRY_VERIFY_WITH_TIMEOUT(window.currentSnapshot() && window.currentSnapshot()->peers.size() == 3 &&
                                     window.findChild<PieceMapWidget*>()->pieceBarRect(3).isValid(),
                                 15000);
        const int peer = 3;
        QString why;
        QTRY_VERIFY_WITH_TIMEOUT(peerIn(window, peer)->state == LabPeerState::Downloading, 10000);

        QVERIFY2(chooseFromPeerMenu(window, peer, QStringLiteral("Pause Peer"), &why), qPrintable(why));
        QTRY_COMPARE_WITH_TIMEOUT(peerIn(window, peer)->state, LabPeerState::Paused, 3000);
        QVERIFY2(chooseFromPeerMenu(window, peer, QStringLiteral("Resume Peer"), &why), qPrintable(why));
        QTRY_VERIFY_WITH_TIMEOUT(peerIn(window, peer)->state != LabPeerState::Paused, 3000);

        QVERIFY2(chooseFromPeerMenu(window, peer, QStringLiteral("Kill Peer"), &why), qPrintable(why));
        QTRY_COMPARE_WITH_TIMEOUT(peerIn(window, peer)->state, LabPeerState::Stopped, 3000);
        QVERIFY2(chooseFromPeerMenu(window, peer, QStringLiteral("Restart Peer"), &why), qPrintable(why));
        QTRY_VERIFY_WITH_TIMEOUT(peerIn(window, peer)->state == LabPeerState::Downloading ||
                                     peerIn(window, peer)->state == LabPeerState::Seeding,
                                 10000);
        QTRY_COMPARE_WITH_TIMEOUT(peerIn(window, peer)->restarts, 1, 3000);

        // The link dialog: this peer's latency, jitter and caps, and only this peer's.
        whenModal<QDialog>([](QDialog* dialog) {
            const QList<QSpinBox*> spins = dialog->findChildren<QSpinBox*>();
            for (QSpinBox* spin : spins) {
                if (spin->objectName() == QStringLiteral("peerLatency"))
                    spin->setValue(123);
                else if (spin->objectName() == QStringLiteral("peerJitter"))
                    spin->setValue(7);
            }
            dialog->accept();
        });
        QVERIFY2(chooseFromPeerMenu(window, peer, QStringLiteral("Latency and Caps"), &why), qPrintable(why));
        QTRY_COMPARE_WITH_TIMEOUT(peerIn(window, peer)->conditions.latencyMs, qint64(123), 3000);
        QCOMPARE(peerIn(window, peer)->conditions.jitterMs, qint64(7));
        QCOMPARE(peerIn(window, 2)->conditions.latencyMs, qint64(0));

        const QString leecherFolder = peerIn(window, peer)->dataDir;
        QVERIFY(QFileInfo::exists(leecherFolder));
        QVERIFY2(chooseFromPeerMenu(window, peer, QStringLiteral("Remove Peer"), &why), qPrintable(why));
        QCOMPARE(window.selectedPeer(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!peerIn(window, peer), 10000);
        QVERIFY(!window.controller()->lab()->peerIds().contains(peer));
        QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo::exists(leecherFolder), 10000);
    }

    void chartsExportValidPngAndCsvOfARealRun() {
        QTemporaryDir labDir;
        QTemporaryDir out;
        MainWindow window(labIn(labDir));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        DemoSettings demo;
        demo.fileSize = 2 * 1024 * 1024;
        demo.pieceLength = 32 * 1024;
        demo.leechers = 3;
        demo.seederUploadRate = 1024 * 1024;
        QSignalSpy started(window.controller(), &LabController::demoStarted);
        window.startDemoWith(demo);
        QVERIFY(started.wait(30000));
        QTRY_VERIFY_WITH_TIMEOUT(everyPeerShownComplete(window, 4), 60000);
        auto* charts = window.findChild<ChartsPanel*>();

        const QString rates = out.filePath(QStringLiteral("rates.csv"));
        QVERIFY(charts->exportCsv(ChartsPanel::Chart::Rates, rates));
        const QList<QByteArray> rateLines = readAll(rates).trimmed().split('\n');
        QCOMPARE(rateLines.first(), QByteArray("time_s,download_bytes_per_s,upload_bytes_per_s"));
        QVERIFY(rateLines.size() > 10);
        qint64 downloaded = 0;
        for (qsizetype i = 1; i < rateLines.size(); ++i) {
            const QList<QByteArray> fields = rateLines[i].split(',');
            QCOMPARE(fields.size(), 3);
            bool ok = false;
            fields[0].toDouble(&ok);
            QVERIFY(ok);
            downloaded = std::max(downloaded, fields[1].toLongLong(&ok));
            QVERIFY(ok);
        }
        QVERIFY(downloaded > 0);

        const QString completion = out.filePath(QStringLiteral("completion.csv"));
        QVERIFY(charts->exportCsv(ChartsPanel::Chart::Completion, completion));
        const QList<QByteArray> completionLines = readAll(completion).trimmed().split('\n');
        QCOMPARE(completionLines.first(), QByteArray("time_s,peer_1,peer_2,peer_3,peer_4"));
        QVERIFY(completionLines.last().endsWith(",100.00,100.00,100.00,100.00"));

        const QString availability = out.filePath(QStringLiteral("availability.csv"));
        QVERIFY(charts->exportCsv(ChartsPanel::Chart::Availability, availability));
        // Done: all 64 pieces are on all four peers.
        QVERIFY(readAll(availability).endsWith("\n4,64\n"));

        for (ChartsPanel::Chart chart :
             {ChartsPanel::Chart::Rates, ChartsPanel::Chart::Completion, ChartsPanel::Chart::Availability}) {
            const QString png = out.filePath(QStringLiteral("chart-%1.png").arg(int(chart)));
            QVERIFY(charts->exportPng(chart, png));
            QImage image(png);
            QVERIFY2(!image.isNull(), qPrintable(png));
            QVERIFY(image.width() >= 300 && image.height() >= 200);
            // A chart, not a blank: many colours.
            QSet<QRgb> colours;
            for (int y = 0; y < image.height(); y += 4)
                for (int x = 0; x < image.width(); x += 4)
                    colours.insert(image.pixel(x, y));
            QVERIFY2(colours.size() > 8, qPrintable(png));
        }
    }

    void windowRemembersItsLayoutAndFolders() {
        QTemporaryDir labDir;
        QTemporaryDir runs;
        QVERIFY(QSettings().fileName().contains(QStringLiteral(".qttest")));
        {
            MainWindow window(labIn(labDir));
            window.resize(1200, 760);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.findChild<QDockWidget*>(QStringLiteral("graphDock"))->hide();
            QVERIFY(window.close()); // no peers: it closes at once, saving its state
        }
        QVERIFY(QSettings().contains(QStringLiteral("window/state")));
        {
            MainWindow window(labIn(labDir));
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QCOMPARE(window.size(), QSize(1200, 760));
            QVERIFY(window.findChild<QDockWidget*>(QStringLiteral("graphDock"))->isHidden());
            QVERIFY(window.findChild<QDockWidget*>(QStringLiteral("chartsDock"))->isVisible());
            window.restoreDefaultLayout();
            QVERIFY(window.findChild<QDockWidget*>(QStringLiteral("graphDock"))->isVisible());
        }

        // The lab folder: a run folder in the chosen one, shown in the controls, moved to at once while the
        // lab is empty, remembered, and removed when the window goes.
        QString firstRun;
        {
            MainWindow window;
            firstRun = window.labFolder();
            QVERIFY(firstRun.startsWith(window.labParentFolder() + u'/'));
            QVERIFY(QFileInfo(firstRun).isDir());
            QVERIFY(window.setLabParentFolder(runs.path()));
            QVERIFY(!QFileInfo::exists(firstRun));
            QVERIFY(window.labFolder().startsWith(runs.path() + QStringLiteral("/run-")));
            QCOMPARE(window.controlPanel()->labFolderShown(), QDir::toNativeSeparators(window.labFolder()));
            QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->announceUrl().isEmpty(), 10000);
            firstRun = window.labFolder();
        }
        QVERIFY(!QFileInfo::exists(firstRun));
        {
            MainWindow window;
            QCOMPARE(window.labParentFolder(), runs.path());
            QVERIFY(window.labFolder().startsWith(runs.path() + QStringLiteral("/run-")));
        }
    }
};

QTEST_MAIN(TestWindow)
#include "tst_window.moc"
