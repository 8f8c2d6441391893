#include "GuiMain.h"

#include "Version.h"
#include "cli/CliError.h"
#include "cli/NetworkCommand.h"
#include "cli/OptionValues.h"
#include "observe/ObserveDialog.h"
#include "observe/ObserverWindow.h"
#include "record/Recording.h"
#include "swarm/SwarmLabConfig.h"
#include "window/ClockBar.h"
#include "window/MainWindow.h"
#include "window/ScenarioActions.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QPointer>
#include <QSettings>
#include <QTimer>

#include <optional>

using namespace swarmscope;

int runGui(int argc, char** argv) {
    // The icons live in the ui library, which is static: its resources must be registered by hand.
    Q_INIT_RESOURCE(resources);
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Swarmscope"));
    QApplication::setOrganizationName(QStringLiteral("Swarmscope"));
    QApplication::setApplicationVersion(QStringLiteral(SWARMSCOPE_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.swarmscope.Swarmscope"));
    // The PNG stands in where the SVG icon engine is missing.
    QIcon icon(QStringLiteral(":/icons/swarmscope.svg"));
    icon.addFile(QStringLiteral(":/icons/swarmscope-128.png"), QSize(128, 128));
    QApplication::setWindowIcon(icon);

    QCommandLineParser parser;
    const QCommandLineOption demo(QStringLiteral("demo"),
                                  QStringLiteral("Start with a demo swarm: one seeder and eight leechers."));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Save a PNG of the main window to FILE, then quit."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption after(QStringLiteral("after"),
                                   QStringLiteral("Seconds to wait before the screenshot."),
                                   QStringLiteral("SECONDS"), QStringLiteral("2"));
    const QCommandLineOption size(QStringLiteral("size"),
                                  QStringLiteral("The window's size, for screenshots: WIDTHxHEIGHT."),
                                  QStringLiteral("WxH"));
    const QCommandLineOption zoom(QStringLiteral("zoom"),
                                  QStringLiteral("Zoom every view, in percent (50..300)."),
                                  QStringLiteral("PERCENT"));
    const QCommandLineOption show(
        QStringLiteral("show"),
        QStringLiteral("Bring a view to the front: help, matrix, completion, availability."),
        QStringLiteral("VIEW"));
    const QCommandLineOption time(
        QStringLiteral("time"),
        QStringLiteral("The lab's clock: real (TCP on 127.0.0.1) or simulated (a simulated network on a "
                       "virtual clock that can be paused, paced and stepped). Default: the last chosen."),
        QStringLiteral("MODE"), QStringLiteral("real"));
    const QCommandLineOption seed(QStringLiteral("seed"),
                                  QStringLiteral("Seeds a simulated lab, so that its run repeats (default: a "
                                                 "fresh seed)."),
                                  QStringLiteral("N"));
    const QCommandLineOption replay(
        QStringLiteral("replay"),
        QStringLiteral("Replay a recording (File > Save Recording, swarm --record) "
                       "instead of starting with an empty lab."),
        QStringLiteral("FILE"));
    const QCommandLineOption at(QStringLiteral("at"),
                                QStringLiteral("With --replay: the moment to show, in seconds of lab time "
                                               "(default: the end)."),
                                QStringLiteral("SECONDS"));

    const QCommandLineOption scenario(QStringLiteral("scenario"),
                                      QStringLiteral("Run a scenario file in the window, as File > Open "
                                                     "Scenario does."),
                                      QStringLiteral("FILE"));
    const QCommandLineOption observe(
        QStringLiteral("observe"),
        QStringLiteral("Open an observer window on another swarm, as File > Observe "
                       "Swarm does: a .torrent file or a magnet link."),
        QStringLiteral("TORRENT|MAGNET"));
    const QCommandLineOption observeTracker(QStringLiteral("observe-tracker"),
                                            QStringLiteral("With --observe: a tracker to ask as well."),
                                            QStringLiteral("URL"));
    const QCommandLineOption observeListen(
        QStringLiteral("observe-listen"),
        QStringLiteral("With --observe: where the observer listens (default "
                       "127.0.0.1:0)."),
        QStringLiteral("HOST:PORT"));
    parser.addOptions({demo, screenshot, after, size, zoom, show, time, seed, replay, at, scenario, observe,
                       observeTracker, observeListen});
    if (!parser.parse(app.arguments())) {
        cli::printError(parser.errorText() + QStringLiteral(" (swarmscope)"));
        return cli::ExitBadInput;
    }
    if (!parser.positionalArguments().isEmpty()) {
        cli::printError(QStringLiteral("unknown command '%1'; see 'swarmscope --help'")
                            .arg(parser.positionalArguments().first()));
        return cli::ExitBadInput;
    }
    if (parser.isSet(at) && !parser.isSet(replay)) {
        cli::printError(QStringLiteral("--at needs --replay FILE: it is a moment of a recording (--at)"));
        return cli::ExitBadInput;
    }
    if (parser.isSet(replay) && parser.isSet(scenario)) {
        cli::printError(
            QStringLiteral("--replay shows a recording; it cannot run a scenario as well (--scenario)"));
        return cli::ExitBadInput;
    }
    if (parser.isSet(replay) && parser.isSet(demo)) {
        cli::printError(
            QStringLiteral("--replay shows a recording; it cannot start a demo as well (--demo)"));
        return cli::ExitBadInput;
    }
    double atSeconds = -1;
    if (parser.isSet(at)) {
        bool ok = false;
        atSeconds = parser.value(at).toDouble(&ok);
        if (!ok || !(atSeconds >= 0) || atSeconds > 1e7) {
            cli::printError(
                QStringLiteral("--at needs a number of seconds, 0 or more (--at %1)").arg(parser.value(at)));
            return cli::ExitBadInput;
        }
    }
    // A recording is read before any window opens, so that a bad file is an error, not an empty window.
    std::optional<Recording> recording;
    if (parser.isSet(replay)) {
        QString error;
        recording = Recording::load(parser.value(replay), &error);
        if (!recording) {
            cli::printError(error);
            return cli::ExitBadInput;
        }
        if (recording->isEmpty()) {
            cli::printError(
                QStringLiteral("the recording holds no moment of a run (%1)").arg(parser.value(replay)));
            return cli::ExitBadInput;
        }
    }
    bool afterOk = false;
    const double afterSeconds = parser.value(after).toDouble(&afterOk);
    if (!afterOk || afterSeconds < 0 || afterSeconds > 3600) {
        cli::printError(QStringLiteral("--after needs a number of seconds between 0 and 3600 (--after)"));
        return cli::ExitBadInput;
    }

    QSize windowSize;
    if (parser.isSet(size)) {
        const QStringList parts = parser.value(size).split(u'x');
        bool w = false;
        bool h = false;
        if (parts.size() == 2)
            windowSize = QSize(parts[0].toInt(&w), parts[1].toInt(&h));
        if (!w || !h || windowSize.width() < 320 || windowSize.height() < 240) {
            cli::printError(QStringLiteral("--size needs WIDTHxHEIGHT, at least 320x240 (--size)"));
            return cli::ExitBadInput;
        }
    }
    int zoomPercent = 0;
    if (parser.isSet(zoom)) {
        bool ok = false;
        zoomPercent = parser.value(zoom).toInt(&ok);
        if (!ok || zoomPercent < ui::MainWindow::kMinZoomPercent ||
            zoomPercent > ui::MainWindow::kMaxZoomPercent) {
            cli::printError(QStringLiteral("--zoom needs a percentage between 50 and 300 (--zoom)"));
            return cli::ExitBadInput;
        }
    }
    const QString shown = parser.value(show);
    if (parser.isSet(show) && !QStringList{QStringLiteral("help"), QStringLiteral("matrix"),
                                           QStringLiteral("completion"), QStringLiteral("availability")}
                                   .contains(shown)) {
        cli::printError(QStringLiteral("--show needs help, matrix, completion or availability (--show)"));
        return cli::ExitBadInput;
    }

    // A simulated lab starts with its clock at 1x; a seed makes its run repeat, as `swarm --seed` does.
    SwarmLabConfig labConfig;
    try {
        // Without --time, the clock last chosen in the window (real time when none was, or it cannot be
        // read).
        labConfig.timeMode =
            parser.isSet(time)
                ? cli::parseTimeMode(parser.value(time))
                : timeModeFromName(QSettings().value(ui::ClockBar::rememberedTimeModeKey()).toString())
                      .value_or(TimeMode::Real);
        if (parser.isSet(seed))
            labConfig.seed = cli::parseSeed(parser.value(seed));
    } catch (const cli::BadInput& e) {
        cli::printError(e.message());
        return cli::ExitBadInput;
    }

    ui::MainWindow window(labConfig);
    if (windowSize.isValid())
        window.resize(windowSize);
    if (zoomPercent > 0)
        window.setZoomPercent(zoomPercent);
    window.show();
    if (!shown.isEmpty())
        window.showView(shown);
    // A logout or Ctrl+C in the terminal closes the window as the Quit action does: the peers say
    // "stopped" to the tracker and the run folder is cleaned up, instead of dying mid-write.
    try {
        cli::onTerminationSignal(&window, [&window]() { window.close(); });
    } catch (const cli::RuntimeFailure&) {
        // Without the pipe the signals keep their default effect; the window still works.
    }
    if (parser.isSet(demo))
        window.startDemo();
    if (recording) {
        window.openRecording(std::move(*recording), parser.value(replay));
        recording.reset();
        if (atSeconds >= 0)
            window.showMoment(qint64(atSeconds * 1000));
    }
    if (parser.isSet(scenario)) {
        // Once the window runs: a bad file's message box needs the event loop.
        const QString path = parser.value(scenario);
        QTimer::singleShot(0, &window, [&window, path]() {
            if (auto* actions = window.findChild<ui::ScenarioActions*>(QStringLiteral("scenarioActions")))
                actions->openScenario(path);
        });
    }

    QPointer<ui::ObserverWindow> observer;
    if (parser.isSet(observe)) {
        ui::ObserveDialog dialog(&window);
        const QString what = parser.value(observe);
        if (what.startsWith(QStringLiteral("magnet:"), Qt::CaseInsensitive))
            dialog.setMagnet(what);
        else
            dialog.setTorrentFile(what);
        dialog.setTracker(parser.value(observeTracker));
        if (parser.isSet(observeListen))
            dialog.setListen(parser.value(observeListen));
        const QString error = dialog.validate();
        if (!error.isEmpty()) {
            cli::printError(error + QStringLiteral(" (--observe)"));
            return cli::ExitBadInput;
        }
        observer =
            new ui::ObserverWindow(dialog.params(), dialog.listenAddress(), dialog.listenPort(), &window);
        if (windowSize.isValid())
            observer->resize(windowSize);
        observer->show();
    }

    if (parser.isSet(screenshot)) {
        const QString path = parser.value(screenshot);
        QTimer::singleShot(int(afterSeconds * 1000), &window, [&window, &observer, path]() {
            // The observer's window when one was asked for, else the lab's.
            const bool saved = (observer ? observer->grab() : window.grab()).save(path, "PNG");
            if (!saved)
                cli::printError(QStringLiteral("cannot write the screenshot (%1)").arg(path));
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return app.exec();
}
