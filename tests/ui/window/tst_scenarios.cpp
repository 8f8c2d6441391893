// Scenarios in the window, through the real window and real labs: a good scenario file runs with its peers
// on screen until it completes; a bad one shows the parser's line and changes nothing; a run in the window
// saved as a scenario and run again headless gives every peer the same completion time; and the Free-Ride
// action makes a peer that downloads and uploads nothing.
#include "shared/LabController.h"
#include "shared/PeerListModel.h"
#include "shared/PeerSelection.h"
#include "window/ClockBar.h"
#include "window/MainWindow.h"
#include "window/PeerActions.h"
#include "window/ScenarioActions.h"

#include "WindowDriver.h"

#include "scenario/ScenarioContentPrep.h"
#include "scenario/ScenarioParser.h"
#include "scenario/ScenarioRun.h"
#include "swarm/SwarmLab.h"

#include <QAbstractButton>
#include <QAction>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::testsupport;
using namespace swarmscope::ui;

namespace {

ScenarioActions* scenarioActions(MainWindow& window) {
    return window.findChild<ScenarioActions*>(QStringLiteral("scenarioActions"));
}

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

// Closes the next message box and keeps its text.
void answerMessageBox(QString* text, QMessageBox::StandardButton button = QMessageBox::Ok) {
    whenModal<QMessageBox>([text, button](QMessageBox* box) {
        *text = box->text();
        if (QAbstractButton* b = box->button(button))
            b->click();
        else
            box->accept();
    });
}

// Steps the paused simulated clock and waits until the lab is there, so what is given next happens then.
bool stepTo(SwarmLab* lab, qint64 ms) {
    if (!lab->step(ms - lab->nowMs()))
        return false;
    return QTest::qWaitFor([&]() { return lab->nowMs() >= ms; }, 10000);
}

// A torrent in the window made as a scenario makes its content, so a rerun shares the same bytes.
int addPreparedTorrent(MainWindow& window, const QString& workDir, qint64 size, qint64 pieceSize) {
    ContentPrepRequest request;
    request.size = size;
    request.pieceSize = pieceSize;
    request.workDir = workDir;
    const ContentPrepResult prepared = prepareContent(request);
    if (!prepared.ok())
        return 0;
    return window.controller()->addTorrent(prepared.content->metainfo, prepared.content->servedDir, true);
}

} // namespace

class TestScenarios : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init() { QSettings().clear(); }

    void openScenario_goodFile_itsPeersAppearAndItCompletes() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("small.toml"));
        writeFile(path, "name = \"Small swarm\"\n"
                        "[content]\n"
                        "size = \"1MiB\"\n"
                        "piece-size = \"64KiB\"\n"
                        "[time]\n"
                        "mode = \"simulated\"\n"
                        "seed = 5\n"
                        "speed = 100\n"
                        "[groups.seeder]\n"
                        "role = \"seeder\"\n"
                        "count = 1\n"
                        "up = \"512KiB/s\"\n"
                        "[groups.leechers]\n"
                        "role = \"leecher\"\n"
                        "count = 3\n"
                        "up = \"256KiB/s\"\n"
                        "[[actions]]\n"
                        "at = \"1s\"\n"
                        "do = \"set-picker\"\n"
                        "target = \"leechers#1\"\n"
                        "picker = \"random\"\n");
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        window.show();
        QSignalSpy started(scenarioActions(window), &ScenarioActions::scenarioStarted);
        QSignalSpy finished(window.controller(), &LabController::scenarioFinished);
        QVERIFY(scenarioActions(window)->openScenario(path));
        QVERIFY(started.wait(30000) || started.count() == 1);
        QCOMPARE(window.controller()->timeMode(), TimeMode::Simulated);
        QCOMPARE(window.controller()->lab()->seed(), 5u);
        QCOMPARE(window.controller()->lab()->speed(), 100.0);
        // Its peers in the views, as those of any lab.
        QVERIFY(QTest::qWaitFor(
            [&]() { return window.currentSnapshot() && window.currentSnapshot()->peers.size() == 4; },
            20000));
        QCOMPARE(countRole(window.currentSnapshot(), TorrentRole::Seeder), 1);
        QVERIFY(window.clockBar()
                    ->findChild<QLabel*>(QStringLiteral("labClock"))
                    ->text()
                    .contains(QStringLiteral("simulated, seed 5")));
        QVERIFY(finished.wait(60000) || finished.count() == 1);
        const ScenarioRun* run = window.controller()->scenarioRun();
        QVERIFY(run);
        QCOMPARE(run->result().stopReason, ScenarioStopReason::LeechersComplete);
        QCOMPARE(run->result().completedLeechers(), 3);
        QVERIFY(QTest::qWaitFor([&]() { return everyPeerShownComplete(window, 4); }, 10000));
        QCOMPARE(run->result().actionTimesMs, QList<qint64>{1000});
    }

    void openScenario_badFile_showsTheParsersLine_andChangesNothing() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.toml"));
        writeFile(path, "[content]\nsize = \"1MiB\"\n\n[groups.leechers]\nrole = \"leecher\"\ncount = 2\nup "
                        "= \"fast\"\n");
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        window.show();
        QVERIFY(startDemoAndWait(window, slowDemo(2)));
        SwarmLab* before = window.controller()->lab();
        const QList<int> torrents = window.controller()->torrentIds();
        const int peers = int(before->peerIds().size());
        QString text;
        answerMessageBox(&text);
        QVERIFY(!scenarioActions(window)->openScenario(path));
        QVERIFY(text.contains(QStringLiteral("'fast' is not a rate")));
        QVERIFY(text.contains(QStringLiteral("bad.toml:7: groups.leechers.up")));
        QCOMPARE(window.controller()->lab(), before);
        QCOMPARE(window.controller()->torrentIds(), torrents);
        QCOMPARE(int(before->peerIds().size()), peers);
        QVERIFY(!window.controller()->scenarioRun());
    }

    void openScenario_labInUse_asksFirst_noKeepsIt_yesClosesIt() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("two.toml"));
        writeFile(path, "name = \"Two peers\"\n[content]\nsize = \"256KiB\"\n[time]\nmode = \"simulated\"\n"
                        "seed = 2\n[groups.seeder]\nrole = \"seeder\"\ncount = 1\n[groups.leecher]\n"
                        "role = \"leecher\"\ncount = 1\n");
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        window.show();
        QVERIFY(startDemoAndWait(window, slowDemo(2)));
        SwarmLab* demoLab = window.controller()->lab();
        const QList<int> torrents = window.controller()->torrentIds();
        QString question;
        answerMessageBox(&question, QMessageBox::No);
        QVERIFY(!scenarioActions(window)->openScenario(path));
        QVERIFY2(question.contains(QStringLiteral("Close 1 torrent")), qPrintable(question));
        QCOMPARE(window.controller()->lab(), demoLab);
        QCOMPARE(window.controller()->torrentIds(), torrents);

        QSignalSpy started(scenarioActions(window), &ScenarioActions::scenarioStarted);
        answerMessageBox(&question, QMessageBox::Yes);
        QVERIFY(scenarioActions(window)->openScenario(path));
        QVERIFY(started.wait(30000) || started.count() == 1);
        QVERIFY(window.controller()->scenarioRun());
        QCOMPARE(window.controller()->torrentIds().size(), 1);
        QCOMPARE(window.controller()->lab()->seed(), 2u);
        QVERIFY(QTest::qWaitFor(
            [&]() { return window.currentSnapshot() && window.currentSnapshot()->peers.size() == 2; },
            20000));
    }

    void saveScenario_rerunHeadless_givesTheSameCompletionTimes() {
        QTemporaryDir labDir;
        SwarmLabConfig config = labIn(labDir);
        config.timeMode = TimeMode::Simulated;
        config.seed = 9;
        MainWindow window(config);
        window.show();
        LabController* controller = window.controller();
        SwarmLab* lab = controller->lab();
        lab->pauseAll();
        QVERIFY(QTest::qWaitFor([&]() { return lab->isPausedAll(); }, 5000));
        QTemporaryDir contentDir;
        QVERIFY(addPreparedTorrent(window, contentDir.path(), 1024 * 1024, 64 * 1024) != 0);
        controller->setUploadRate(0, 256 * 1024);
        const QList<int> seeders = controller->addSeeders(1);
        const QList<int> leechers = controller->addLeechers(3);
        QCOMPARE(leechers.size(), 3);
        const qint64 t0 = lab->nowMs();
        // A few controls at known instants: a picker, a kill and a restart, a cap, and one for every peer.
        QVERIFY(stepTo(lab, t0 + 1000));
        controller->setPickerStrategy(leechers.at(0), PickerStrategy::Random);
        QVERIFY(stepTo(lab, t0 + 1500));
        lab->killPeer(leechers.at(1));
        QVERIFY(stepTo(lab, t0 + 2500));
        lab->restartPeer(leechers.at(1));
        controller->setUploadRate(leechers.at(2), 128 * 1024);
        QVERIFY(stepTo(lab, t0 + 3000));
        controller->setLatency(0, 20, 0);
        lab->setSpeed(0);
        lab->resumeAll();
        QVERIFY(QTest::qWaitFor(
            [&]() {
                for (int id : leechers)
                    if (lab->peerInfo(id)->completedAtMs < 0)
                        return false;
                return true;
            },
            60000));

        QTemporaryDir saveDir;
        const QString path = saveDir.filePath(QStringLiteral("saved.toml"));
        QString confirmation;
        answerMessageBox(&confirmation);
        QVERIFY(scenarioActions(window)->saveScenario(path));
        QVERIFY2(confirmation.contains(QStringLiteral("repeats this run exactly")), qPrintable(confirmation));
        QVERIFY(confirmation.contains(QStringLiteral("clock control"))); // the pause, step and speed: said

        const ScenarioParseResult parsed = readScenarioFile(path);
        QVERIFY2(parsed.ok(), qPrintable(parsed.message()));
        const Scenario& s = *parsed.scenario;
        QCOMPARE(s.time.mode, TimeMode::Simulated);
        QCOMPARE(s.time.seed, std::optional<quint32>(9));
        QCOMPARE(s.content.source, ContentSource::File);
        QCOMPARE(s.peerCount(), 4);
        QVERIFY(s.actions.size() >= 5);

        ScenarioRunOptions options;
        QTemporaryDir runDir;
        options.workDir = runDir.path();
        ScenarioRun rerun(s, options);
        QVERIFY(rerun.prepare().ok());
        QSignalSpy done(&rerun, &ScenarioRun::finished);
        QVERIFY(rerun.start());
        QVERIFY(done.wait(60000) || done.count() == 1);
        QCOMPARE(rerun.result().stopReason, ScenarioStopReason::LeechersComplete);
        QCOMPARE(rerun.result().peers.size(), 4);
        QCOMPARE(rerun.result().completedLeechers(), 3);
        for (const ScenarioPeer& peer : rerun.result().peers) {
            const std::optional<LabPeerInfo> original = lab->peerInfo(peer.id);
            QVERIFY(original);
            QCOMPARE(peer.role, original->role);
            QCOMPARE(peer.joinMs, original->addedAtMs);
            QCOMPARE(peer.completedAtMs, original->completedAtMs);
            if (peer.role == TorrentRole::Leecher)
                QVERIFY(peer.completedAtMs > t0 + 3000); // after the last control
        }
        QCOMPARE(seeders.size(), 1);
    }

    // Controls and joins given while the simulated clock runs, even at 50x, are logged at the instant the
    // peers' worker applies them, and a pause stands at the start of a whole millisecond, so the saved
    // scenario repeats the run exactly, not nearly.
    void saveScenario_controlsWhileTheClockRuns_rerunIsIdentical() {
        QTemporaryDir labDir;
        SwarmLabConfig config = labIn(labDir);
        config.timeMode = TimeMode::Simulated;
        config.seed = 4;
        MainWindow window(config);
        window.show();
        LabController* controller = window.controller();
        SwarmLab* lab = controller->lab();
        lab->pauseAll();
        QVERIFY(QTest::qWaitFor([&]() { return lab->isPausedAll(); }, 5000));
        QTemporaryDir contentDir;
        QVERIFY(addPreparedTorrent(window, contentDir.path(), 2 * 1024 * 1024, 64 * 1024) != 0);
        controller->setUploadRate(0, 256 * 1024);
        controller->addSeeders(1);
        const QList<int> leechers = controller->addLeechers(3);
        QCOMPARE(leechers.size(), 3);
        const qint64 t0 = lab->nowMs();
        lab->setSpeed(50.0);
        lab->resumeAll();
        const auto waitPast = [&](qint64 ms) {
            return QTest::qWaitFor([&]() { return lab->nowMs() > ms; }, 20000);
        };
        QVERIFY(waitPast(t0 + 700));
        controller->setPickerStrategy(leechers.at(0), PickerStrategy::Random);
        QVERIFY(waitPast(t0 + 1000));
        QList<int> all = leechers + controller->addLeechers(1); // joins while the clock runs
        QCOMPARE(all.size(), 4);
        QVERIFY(waitPast(t0 + 1300));
        controller->setUploadRate(leechers.at(2), 64 * 1024);
        QVERIFY(waitPast(t0 + 1900));
        lab->killPeer(leechers.at(1));
        QVERIFY(waitPast(t0 + 2300));
        lab->pauseAll(); // somewhere inside a millisecond; a command while paused, then on
        QVERIFY(QTest::qWaitFor([&]() { return lab->isPausedAll(); }, 5000));
        controller->setPickerStrategy(leechers.at(2), PickerStrategy::Random);
        lab->resumeAll();
        QVERIFY(waitPast(t0 + 2600));
        lab->restartPeer(leechers.at(1));
        controller->setLatency(0, 30, 0);
        QVERIFY(QTest::qWaitFor(
            [&]() {
                for (int id : all)
                    if (lab->peerInfo(id)->completedAtMs < 0)
                        return false;
                return true;
            },
            60000));
        // Each control's lab time is the worker's, not a multiple of what the window happened to read.
        int commands = 0;
        for (const LabControlChange& c : lab->controlLog())
            commands += c.kind == LabControlChange::Kind::Command;
        QCOMPARE(commands, 7); // the first cap, two pickers, the second cap, kill, restart, latency
        // The late joiner's time is where the worker added it: after the clock was read in the window.
        QVERIFY(lab->peerInfo(all.last())->addedAtMs > t0 + 1000);

        QTemporaryDir saveDir;
        const QString path = saveDir.filePath(QStringLiteral("saved.toml"));
        QString confirmation;
        answerMessageBox(&confirmation);
        QVERIFY(scenarioActions(window)->saveScenario(path));
        QVERIFY2(confirmation.contains(QStringLiteral("repeats this run exactly")), qPrintable(confirmation));
        const ScenarioParseResult parsed = readScenarioFile(path);
        QVERIFY2(parsed.ok(), qPrintable(parsed.message()));
        ScenarioRunOptions options;
        options.speed = 0;
        QTemporaryDir runDir;
        options.workDir = runDir.path();
        ScenarioRun rerun(*parsed.scenario, options);
        QVERIFY(rerun.prepare().ok());
        QSignalSpy done(&rerun, &ScenarioRun::finished);
        QVERIFY(rerun.start());
        QVERIFY(done.wait(60000) || done.count() == 1);
        QCOMPARE(rerun.result().completedLeechers(), 4);
        for (const ScenarioPeer& peer : rerun.result().peers) {
            const std::optional<LabPeerInfo> original = lab->peerInfo(peer.id);
            QVERIFY(original);
            QCOMPARE(peer.joinMs, original->addedAtMs);
            QCOMPARE(peer.completedAtMs, original->completedAtMs);
        }
    }

    void freeRide_thePeerDownloadsButUploadsNothing() {
        QTemporaryDir labDir;
        SwarmLabConfig config = labIn(labDir);
        config.timeMode = TimeMode::Simulated;
        config.seed = 3;
        MainWindow window(config);
        window.show();
        LabController* controller = window.controller();
        SwarmLab* lab = controller->lab();
        lab->pauseAll();
        QTemporaryDir contentDir;
        QVERIFY(addPreparedTorrent(window, contentDir.path(), 2 * 1024 * 1024, 64 * 1024) != 0);
        controller->setUploadRate(0, 256 * 1024);
        controller->addSeeders(1);
        const QList<int> leechers = controller->addLeechers(3);
        const int rider = leechers.at(1);
        QVERIFY(QTest::qWaitFor([&]() { return peerIn(window, rider) != nullptr; }, 10000));
        window.selectPeer(rider);
        QAction* freeRide = window.peerActions()->freeRideAction();
        QVERIFY(freeRide->isEnabled());
        QVERIFY(!freeRide->isChecked());
        freeRide->trigger();
        QVERIFY(freeRide->isChecked());
        QVERIFY(QTest::qWaitFor(
            [&]() {
                const LabPeerSnapshot* p = peerIn(window, rider);
                return p && p->freeRider;
            },
            10000));
        QVERIFY(PeerListModel::peerName(*peerIn(window, rider)).contains(QStringLiteral("free-rider")));
        lab->setSpeed(0);
        lab->resumeAll();
        qint64 maxUploaded = 0;
        QVERIFY(QTest::qWaitFor(
            [&]() {
                const LabPeerSnapshot* p = peerIn(window, rider);
                if (!p)
                    return false;
                maxUploaded = qMax(maxUploaded, p->uploaded);
                return p->isComplete();
            },
            60000));
        const LabPeerSnapshot* p = peerIn(window, rider);
        QCOMPARE(maxUploaded, 0);
        QCOMPARE(p->uploaded, 0);
        QVERIFY(p->downloaded >= 2 * 1024 * 1024);
        // The others did give: the swarm's upload is not the seeder's alone.
        qint64 leechersUploaded = 0;
        for (int id : leechers)
            if (id != rider)
                leechersUploaded += peerIn(window, id)->uploaded;
        QVERIFY(leechersUploaded > 0);
        // Again: it shares again.
        freeRide->trigger();
        QVERIFY(QTest::qWaitFor([&]() { return !peerIn(window, rider)->freeRider; }, 10000));

        // Saved: free-riding from its join is its group's behaviour; the later switch back is listed.
        QTemporaryDir saveDir;
        const QString path = saveDir.filePath(QStringLiteral("riders.toml"));
        QString confirmation;
        answerMessageBox(&confirmation);
        QVERIFY(scenarioActions(window)->saveScenario(path));
        QVERIFY2(confirmation.contains(QStringLiteral("only from its start")), qPrintable(confirmation));
        QVERIFY(!confirmation.contains(QStringLiteral("repeats this run exactly")));
        const ScenarioParseResult parsed = readScenarioFile(path);
        QVERIFY2(parsed.ok(), qPrintable(parsed.message()));
        QStringList shape;
        for (const ScenarioGroup& g : parsed.scenario->groups)
            shape.append(
                QStringLiteral("%1:%2:%3").arg(g.name).arg(g.count).arg(peerBehaviourName(g.behaviour.kind)));
        QCOMPARE(shape, (QStringList{QStringLiteral("seeders:1:normal"), QStringLiteral("leechers:1:normal"),
                                     QStringLiteral("leechers-2:1:free-rider"),
                                     QStringLiteral("leechers-3:1:normal")}));
        if (qEnvironmentVariableIsSet("SWARMSCOPE_SHOW_SAVED")) {
            QFile file(path);
            if (file.open(QIODevice::ReadOnly))
                qInfo().noquote() << file.readAll();
        }
    }
};

QTEST_MAIN(TestScenarios)
#include "tst_scenarios.moc"
