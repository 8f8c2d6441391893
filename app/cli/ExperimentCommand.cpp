#include "cli/CliError.h"
#include "cli/CommandLine.h"
#include "cli/Commands.h"
#include "cli/ExperimentPlots.h"
#include "cli/OptionValues.h"

#include "scenario/Experiment.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

#include <cstdio>

namespace swarmscope::cli {

namespace {

constexpr int kMaxRuns = 100;

void save(const QString& path, const QByteArray& bytes) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        throw RuntimeFailure(QStringLiteral("cannot write: %1").arg(file.errorString()), path);
}

QByteArray csv(const ExperimentTable& table) {
    QByteArray out = table.header.join(u',').toUtf8() + '\n';
    for (const QStringList& row : table.rows)
        out += row.join(u',').toUtf8() + '\n';
    return out;
}

} // namespace

int runExperiment(const QStringList& args) {
    CommandLine cl(QStringLiteral("experiment"),
                   QStringLiteral("swarmscope experiment NAME [--out DIR] [--runs K] [--seed N] | --list"));
    cl.addOption(QCommandLineOption(QStringLiteral("list"), QStringLiteral("List the experiments.")));
    cl.addOption(QCommandLineOption(QStringLiteral("out"),
                                    QStringLiteral("Write results.json, CSV and PNG plots here (default: "
                                                   "./NAME)."),
                                    QStringLiteral("DIR")));
    cl.addOption(QCommandLineOption(QStringLiteral("runs"),
                                    QStringLiteral("Seeds per variation (default: the experiment's)."),
                                    QStringLiteral("K")));
    cl.addOption(QCommandLineOption(QStringLiteral("seed"),
                                    QStringLiteral("The first seed; run k uses seed + k (default: 1)."),
                                    QStringLiteral("N")));
    cl.parse(args, 0, 1);
    if (cl.helpRequested()) {
        std::fputs(cl.helpText().toUtf8().constData(), stdout);
        return ExitOk;
    }
    if (cl.isSet(QStringLiteral("list"))) {
        for (const ExperimentInfo& e : experimentList())
            std::printf("%-20s %s\n", e.name.toUtf8().constData(), e.summary.toUtf8().constData());
        return ExitOk;
    }
    if (cl.positional().isEmpty())
        throw BadInput(QStringLiteral("name an experiment; 'swarmscope experiment --list' lists them"));
    const QString name = cl.positional().first();
    const ExperimentInfo* info = findExperiment(name);
    if (!info)
        throw BadInput(
            QStringLiteral("no experiment named '%1'; 'swarmscope experiment --list' lists them").arg(name),
            name);
    ExperimentOptions options;
    options.scenarioDir = QStringLiteral(":/scenarios");
    options.seed = seedOption(cl).value_or(1);
    if (cl.isSet(QStringLiteral("runs"))) {
        bool ok = false;
        options.runs = cl.value(QStringLiteral("runs")).toInt(&ok);
        if (!ok || options.runs < 1 || options.runs > kMaxRuns)
            throw BadInput(QStringLiteral("'%1' is not a number of runs from 1 to %2")
                               .arg(cl.value(QStringLiteral("runs")))
                               .arg(kMaxRuns),
                           QStringLiteral("--runs"));
    }
    const QString outDir = cl.isSet(QStringLiteral("out")) ? cl.value(QStringLiteral("out")) : name;
    if (QFileInfo(outDir).exists() && !QFileInfo(outDir).isDir())
        throw BadInput(QStringLiteral("not a directory"), QStringLiteral("--out ") + outDir);
    if (!QDir().mkpath(outDir))
        throw BadInput(QStringLiteral("cannot create the directory"), QStringLiteral("--out ") + outDir);
    QString why;
    const bool plots = canRenderPlots(&why);
    options.log = [](const QString& line) {
        std::fprintf(stderr, "experiment: %s\n", line.toUtf8().constData());
        std::fflush(stderr);
    };

    std::fprintf(stderr, "experiment: %s (%s), seeds from %u\n", name.toUtf8().constData(),
                 info->scenario.toUtf8().constData(), options.seed);
    QElapsedTimer clock;
    clock.start();
    QString error;
    const std::optional<ExperimentOutcome> outcome = swarmscope::runExperiment(name, options, &error);
    if (!outcome)
        throw RuntimeFailure(error, name);
    const double wall = clock.elapsed() / 1000.0;

    const QDir dir(outDir);
    save(dir.filePath(QStringLiteral("results.json")), QJsonDocument(outcome->results).toJson());
    QStringList written{QStringLiteral("results.json")};
    for (const ExperimentTable& table : outcome->tables) {
        save(dir.filePath(table.file), csv(table));
        written.append(table.file);
    }
    for (const ExperimentPlot& plot : outcome->plots) {
        if (!plots)
            break;
        if (!renderExperimentPlot(plot, dir.filePath(plot.file), &error))
            throw RuntimeFailure(error, dir.filePath(plot.file));
        written.append(plot.file);
    }
    for (const QString& line : outcome->verdict)
        std::printf("%s\n", line.toUtf8().constData());
    std::printf("wrote: %s in %s\n", written.join(QStringLiteral(", ")).toUtf8().constData(),
                QDir::toNativeSeparators(outDir).toUtf8().constData());
    if (!plots)
        std::printf("plots: none (%s)\n", why.toUtf8().constData());
    std::printf("wall: %.1f s\n", wall);
    return ExitOk;
}

} // namespace swarmscope::cli
