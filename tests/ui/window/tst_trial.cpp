// The acceptance trial, as a new user makes it: start the lab, drop a file on the window, create its
// torrent in the dialog, add ten leechers with the toolbar, move the latency slider and see the transfer
// slow down and speed up again in the rate chart, and end with every peer at 100 % and its data verified.
// Beside it, the other way in: an existing .torrent dropped on the window.
#include "TestSupport.h"
#include "WindowDriver.h"
#include "charts/ChartsPanel.h"
#include "dialogs/CreateTorrentDialog.h"
#include "piecemap/PieceMapWidget.h"
#include "shared/LabController.h"
#include "window/ControlPanel.h"
#include "window/EmptySwarmOverlay.h"
#include "window/MainWindow.h"
#include "window/TorrentImporter.h"

#include "metainfo/TorrentCreator.h"
#include "swarm/SwarmLab.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <algorithm>

using namespace swarmscope;
using namespace swarmscope::testsupport;
using namespace swarmscope::ui;

namespace {
constexpr int kLeechers = 10;
} // namespace

class TestTrial : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init() { QSettings().clear(); }

    void newUserDropsAFileAddsLeechersAndWatchesLatencyInTheCharts() {
        QTemporaryDir files;
        QTemporaryDir labDir;
        QVERIFY(files.isValid() && labDir.isValid());
        const QString source = files.filePath(QStringLiteral("lecture-recording.bin"));
        const qint64 size = 16 * 1024 * 1024 + 12345;
        QVERIFY(writeRandomFile(source, size, 11));

        MainWindow window(labIn(labDir));
        window.resize(1440, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        StallMeter stalls;
        LabController* controller = window.controller();

        // First start: the tracker runs and the status bar names it; the empty swarm explains the steps.
        auto* tracker = window.findChild<QLabel*>(QStringLiteral("trackerStatus"));
        QVERIFY(tracker);
        QTRY_VERIFY_WITH_TIMEOUT(!controller->announceUrl().isEmpty(), 10000);
        QTRY_COMPARE(tracker->text(), QStringLiteral("Tracker: ") + controller->announceUrl());
        QVERIFY(controller->announceUrl().startsWith(QStringLiteral("http://127.0.0.1:")));
        QVERIFY(window.findChild<EmptySwarmOverlay*>()->isVisible());

        // The file, dropped on the window from a file manager, opens the create dialog with the lab's
        // tracker.
        QVERIFY(dropOnWindow(&window, {QUrl::fromLocalFile(source)}));
        QPointer<CreateTorrentDialog> dialog;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = window.findChild<CreateTorrentDialog*>()) && dialog->isVisible(),
                                 5000);
        QCOMPARE(dialog->sourcePath(), source);
        QCOMPARE(dialog->tracker(), controller->announceUrl());
        const QString torrentPath = source + QStringLiteral(".torrent");
        QCOMPARE(dialog->outputPath(), torrentPath);
        // 64 KiB pieces, on the dialog's slider; then Create.
        auto* pieceSlider = dialog->findChild<QSlider*>(QStringLiteral("pieceSizeSlider"));
        QVERIFY(pieceSlider);
        pieceSlider->setFocus();
        while (pieceSlider->value() > 16)
            QTest::keyClick(pieceSlider, Qt::Key_Left);
        while (pieceSlider->value() < 16)
            QTest::keyClick(pieceSlider, Qt::Key_Right);
        QCOMPARE(dialog->pieceSize(), qint64(64 * 1024));
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("createButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.isNull() || !dialog->isVisible(), 30000);

        // Saved, and the active swarm, with one seeder serving the file in place.
        QString error;
        const std::optional<Metainfo> metainfo = readTorrentFile(torrentPath, &error);
        QVERIFY2(metainfo, qPrintable(error));
        QCOMPARE(metainfo->totalSize, size);
        QCOMPARE(metainfo->pieceLength, qint64(64 * 1024));
        QCOMPARE(metainfo->announce, controller->announceUrl());
        QVERIFY(controller->activeTorrent() != 0);
        QCOMPARE(window.currentTorrent()->infoHash, metainfo->infoHash);
        QTRY_VERIFY_WITH_TIMEOUT(window.currentSnapshot() &&
                                     countRole(window.currentSnapshot(), TorrentRole::Seeder) == 1 &&
                                     window.currentSnapshot()->peers.first().state == LabPeerState::Seeding,
                                 10000);

        // Ten leechers: the count in the toolbar, then "+ Leecher".
        auto* count = window.findChild<QSpinBox*>(QStringLiteral("peerCount"));
        QVERIFY(count);
        count->setFocus();
        count->selectAll();
        QTest::keyClicks(count, QStringLiteral("10"));
        QCOMPARE(count->value(), kLeechers);
        QToolButton* addLeechers = toolbarButton(window, QStringLiteral("addLeechersAction"));
        QVERIFY(addLeechers && addLeechers->isEnabled());
        QTest::mouseClick(addLeechers, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(countRole(window.currentSnapshot(), TorrentRole::Leecher), kLeechers, 5000);
        QTRY_VERIFY(window.findChild<PieceMapWidget*>()->isVisible()); // the steps give way to the map

        // The transfer under way, its rate as the chart draws it.
        auto* charts = window.findChild<ChartsPanel*>();
        QTRY_VERIFY_WITH_TIMEOUT(meanLeecherProgress(window.currentSnapshot()) >= 0.08, 30000);
        QTest::qWait(2000);
        const double before = chartedDownloadRate(charts, 2.0);
        QVERIFY2(before > 512 * 1024, qPrintable(QStringLiteral("only %1 B/s before").arg(before)));
        const double progressBefore = meanLeecherProgress(window.currentSnapshot());
        QVERIFY2(progressBefore < 0.5, "the transfer is too far along to see the latency");

        // Latency up with the slider (the keyboard moves it as a drag would), for every peer.
        auto* latency = window.controlPanel()->findChild<QSlider*>(QStringLiteral("latencySlider"));
        QVERIFY(latency && latency->isEnabled());
        latency->setFocus();
        for (int i = 0; i < 5; ++i)
            QTest::keyClick(latency, Qt::Key_PageUp);
        QCOMPARE(latency->value(), 500);
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(window.currentSnapshot()->peers.cbegin(), window.currentSnapshot()->peers.cend(),
                        [](const LabPeerSnapshot& p) { return p.conditions.latencyMs == 500; }),
            1000);
        QTest::qWait(3000);
        const double slowed = chartedDownloadRate(charts, 2.0);
        qInfo("swarm download rate: %.0f KiB/s before, %.0f KiB/s at 500 ms latency", before / 1024,
              slowed / 1024);
        QVERIFY2(
            slowed < before * 0.5,
            qPrintable(QStringLiteral("%1 B/s at 500 ms against %2 B/s before").arg(slowed).arg(before)));

        // Back to 0: the rate recovers.
        QTest::keyClick(latency, Qt::Key_Home);
        QCOMPARE(latency->value(), 0);
        double recovered = 0;
        QElapsedTimer recovery;
        recovery.start();
        while (recovery.elapsed() < 8000 && recovered < before * 0.7) {
            QTest::qWait(500);
            recovered = std::max(recovered, chartedDownloadRate(charts, 1.0));
        }
        qInfo("recovered to %.0f KiB/s within %.1f s", recovered / 1024, recovery.elapsed() / 1000.0);
        QVERIFY2(recovered > before * 0.6 && recovered > slowed * 2,
                 qPrintable(QStringLiteral("%1 B/s after, %2 B/s before").arg(recovered).arg(before)));

        // Every peer at 100 % in the window, and nothing froze on the way.
        QTRY_VERIFY_WITH_TIMEOUT(everyPeerShownComplete(window, kLeechers + 1), 90000);
        stalls.stop();
        qInfo("longest event-loop stall during the trial: %lld ms", stalls.maxGapMs());
        QVERIFY2(stalls.maxGapMs() < 500, qPrintable(QStringLiteral("%1 ms").arg(stalls.maxGapMs())));

        // The lab checks every leecher's data against the piece hashes, and it is the file, byte for byte.
        SwarmLab* lab = controller->lab();
        QSignalSpy verified(lab, &SwarmLab::verificationFinished);
        lab->verifyLeechers();
        QVERIFY(verified.wait(60000));
        const auto results = verified.first().first().value<QList<LeecherVerification>>();
        QCOMPARE(results.size(), kLeechers);
        const QByteArray original = readAll(source);
        QCOMPARE(original.size(), size);
        for (const LeecherVerification& result : results) {
            QVERIFY2(result.verified, qPrintable(QStringLiteral("peer %1").arg(result.peer)));
            QVERIFY(readAll(QDir(result.dataDir).filePath(metainfo->name)) == original);
        }
    }

    void droppingATorrentBesideItsDataSeedsItFromThere() {
        QTemporaryDir files;
        QTemporaryDir labDir;
        const QString source = files.filePath(QStringLiteral("slides.pdf"));
        QVERIFY(writeRandomFile(source, 700 * 1024 + 3, 5));
        TorrentCreateOptions options;
        options.path = source;
        options.pieceLength = 32 * 1024;
        TorrentCreator creator(options);
        const TorrentCreateResult made = creator.run();
        QVERIFY2(made.ok(), qPrintable(made.error));
        const QString torrentPath = source + QStringLiteral(".torrent");
        QFile file(torrentPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(made.torrent);
        file.close();

        MainWindow window(labIn(labDir));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // The importer asks whether to seed it; the data sits beside the torrent, so one click does.
        bool asked = false;
        whenModal<QMessageBox>([&asked](QMessageBox* box) {
            auto* beside = box->findChild<QPushButton*>(QStringLiteral("seedBesideButton"));
            asked = beside != nullptr;
            if (beside)
                QTest::mouseClick(beside, Qt::LeftButton);
            else
                box->reject();
        });
        QVERIFY(dropOnWindow(&window, {QUrl::fromLocalFile(torrentPath)}));
        QTRY_VERIFY_WITH_TIMEOUT(window.controller()->activeTorrent() != 0, 10000);
        QVERIFY(asked);
        QCOMPARE(window.currentTorrent()->name, QStringLiteral("slides.pdf"));
        QCOMPARE(window.importer()->lastFolder(), files.path());
        // Not made here: the seeder checks the data before it serves it; then a leecher gets all of it.
        QTRY_VERIFY_WITH_TIMEOUT(window.currentSnapshot() && window.currentSnapshot()->peer(1) &&
                                     window.currentSnapshot()->peer(1)->state == LabPeerState::Seeding,
                                 15000);
        QTest::mouseClick(toolbarButton(window, QStringLiteral("addLeechersAction")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(everyPeerShownComplete(window, 2), 30000);

        // The next window's Open dialog starts where this torrent came from.
        QTemporaryDir otherLab;
        MainWindow next(labIn(otherLab));
        QCOMPARE(next.importer()->lastFolder(), files.path());
    }
};

QTEST_MAIN(TestTrial)
#include "tst_trial.moc"
