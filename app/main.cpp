#include "Version.h"
#include "cli/CliError.h"
#include "cli/Commands.h"

#include <QCoreApplication>
#include <QStringList>

#ifdef SWARMSCOPE_HAVE_GUI
#include "GuiMain.h"

#include <QApplication>
#endif

#include <csignal>
#include <cstdio>
#include <functional>
#include <map>

using namespace swarmscope;

namespace {

using Command = std::function<int(const QStringList&)>;

const std::map<QString, Command>& commands() {
    static const std::map<QString, Command> table{
        {QStringLiteral("create"), cli::runCreate}, {QStringLiteral("inspect"), cli::runInspect},
        {QStringLiteral("verify"), cli::runVerify}, {QStringLiteral("tracker"), cli::runTracker},
        {QStringLiteral("peer"), cli::runPeer},     {QStringLiteral("observe"), cli::runObserve},
        {QStringLiteral("swarm"), cli::runSwarm},   {QStringLiteral("experiment"), cli::runExperiment},
    };
    return table;
}

int runCommand(const Command& command, const QStringList& args) {
    try {
        return command(args);
    } catch (const cli::BadInput& e) {
        cli::printError(e.message());
        return cli::ExitBadInput;
    } catch (const cli::RuntimeFailure& e) {
        cli::printError(e.message());
        return cli::ExitRuntimeFailure;
    } catch (const std::bad_alloc&) {
        cli::printError(QStringLiteral("out of memory"));
        return cli::ExitRuntimeFailure;
    }
}

} // namespace

int main(int argc, char** argv) {
    // A closed pipe (e.g. `swarmscope inspect x | head`) must end the write, not the process with a signal.
    std::signal(SIGPIPE, SIG_IGN);
    // Over a file-size limit, writes must fail with EFBIG (reported as an error), not kill the process.
    std::signal(SIGXFSZ, SIG_IGN);

    const QString first = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (first == u"--help" || first == u"-h" || first == u"help") {
        std::fputs(cli::usageText().toUtf8().constData(), stdout);
        return cli::ExitOk;
    }
    if (first == u"--version" || first == u"-v") {
        std::printf("swarmscope %s\n", SWARMSCOPE_VERSION);
        return cli::ExitOk;
    }

    const auto it = commands().find(first);
#ifdef SWARMSCOPE_HAVE_GUI
    if (first == u"experiment") {
        // Its plots are drawn with Qt Charts, which needs a QApplication; off screen, as a command needs no
        // display.
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        // Without a session (a shell over ssh, a CI job) Qt notes on stderr that it picked a runtime folder:
        // not a problem of the command, and stderr carries only its own lines.
        static const QtMessageHandler previous = qInstallMessageHandler(nullptr);
        qInstallMessageHandler([](QtMsgType type, const QMessageLogContext& context, const QString& message) {
            if (!message.startsWith(u"QStandardPaths: XDG_RUNTIME_DIR not set"))
                previous(type, context, message);
        });
        QApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("swarmscope"));
        QCoreApplication::setApplicationVersion(QStringLiteral(SWARMSCOPE_VERSION));
        return runCommand(it->second, app.arguments().mid(2));
    }
#endif
    if (it != commands().end()) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("swarmscope"));
        QCoreApplication::setApplicationVersion(QStringLiteral(SWARMSCOPE_VERSION));
        QStringList args = app.arguments().mid(2);
        return runCommand(it->second, args);
    }
    if (!first.isEmpty() && !first.startsWith(u'-')) {
        cli::printError(QStringLiteral("unknown command '%1'; see 'swarmscope --help'").arg(first));
        return cli::ExitBadInput;
    }

#ifdef SWARMSCOPE_HAVE_GUI
    return runGui(argc, argv);
#else
    cli::printError(QStringLiteral("this build has no desktop interface; see 'swarmscope --help'"));
    return cli::ExitBadInput;
#endif
}
