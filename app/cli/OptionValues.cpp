#include "cli/OptionValues.h"

#include "cli/CliError.h"
#include "metainfo/PieceSize.h"
#include "scenario/Units.h"

#include <optional>

namespace swarmscope::cli {

qint64 pieceSizeOption(const CommandLine& cl) {
    const QString name = QStringLiteral("piece-size");
    if (!cl.isSet(name))
        return 0;
    const QString text = cl.value(name);
    const std::optional<qint64> size = parseSize(text);
    if (!size)
        throw BadInput(QStringLiteral("'%1' is not a size such as 256KiB").arg(text),
                       QStringLiteral("--piece-size"));
    QString problem;
    if (!isValidPieceLength(*size, &problem))
        throw BadInput(problem, QStringLiteral("--piece-size"));
    return *size;
}

qint64 rateOption(const CommandLine& cl, const QString& name) {
    if (!cl.isSet(name))
        return 0;
    const QString text = cl.value(name);
    const std::optional<qint64> rate = parseRate(text);
    if (!rate)
        throw BadInput(QStringLiteral("'%1' is not a rate such as 1MiB/s (0: unlimited)").arg(text),
                       QStringLiteral("--") + name);
    return *rate;
}

qint64 latencyOption(const CommandLine& cl) {
    const QString name = QStringLiteral("latency");
    if (!cl.isSet(name))
        return 0;
    const QString text = cl.value(name);
    bool ok = false;
    const qint64 ms = text.toLongLong(&ok);
    if (!ok || ms < 0 || ms > 60'000)
        throw BadInput(QStringLiteral("'%1' is not a latency in milliseconds from 0 to 60000").arg(text),
                       QStringLiteral("--latency"));
    return ms;
}

} // namespace swarmscope::cli
