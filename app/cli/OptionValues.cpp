#include "cli/OptionValues.h"

#include "cli/CliError.h"
#include "metainfo/PieceSize.h"
#include "scenario/Units.h"

#include <QUrl>

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

mse::Policy encryptionOption(const CommandLine& cl, mse::Policy fallback) {
    const QString name = QStringLiteral("encryption");
    if (!cl.isSet(name))
        return fallback;
    const QString text = cl.value(name);
    const std::optional<mse::Policy> policy = mse::policyFromName(text);
    if (!policy)
        throw BadInput(
            QStringLiteral("'%1' is not an encryption policy; use plaintext, prefer or require").arg(text),
            QStringLiteral("--encryption"));
    return *policy;
}

bool onOffOption(const CommandLine& cl, const QString& name, bool fallback) {
    if (!cl.isSet(name))
        return fallback;
    const QString text = cl.value(name);
    if (text == QLatin1String("on"))
        return true;
    if (text == QLatin1String("off"))
        return false;
    throw BadInput(QStringLiteral("'%1' is not on or off").arg(text), QStringLiteral("--%1").arg(name));
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

TimeMode parseTimeMode(const QString& text) {
    const std::optional<TimeMode> mode = timeModeFromName(text);
    if (!mode)
        throw BadInput(QStringLiteral("'%1' is not real or simulated").arg(text), QStringLiteral("--time"));
    return *mode;
}

quint32 parseSeed(const QString& text) {
    bool ok = false;
    const qulonglong seed = text.toULongLong(&ok);
    if (!ok || seed == 0 || seed > 0xffffffffULL)
        throw BadInput(QStringLiteral("'%1' is not a seed from 1 to 4294967295").arg(text),
                       QStringLiteral("--seed"));
    return quint32(seed);
}

std::optional<TimeMode> timeModeOption(const CommandLine& cl) {
    if (!cl.isSet(QStringLiteral("time")))
        return std::nullopt;
    return parseTimeMode(cl.value(QStringLiteral("time")));
}

std::optional<quint32> seedOption(const CommandLine& cl) {
    if (!cl.isSet(QStringLiteral("seed")))
        return std::nullopt;
    return parseSeed(cl.value(QStringLiteral("seed")));
}

std::optional<double> speedOption(const CommandLine& cl) {
    if (!cl.isSet(QStringLiteral("speed")))
        return std::nullopt;
    const QString text = cl.value(QStringLiteral("speed"));
    bool ok = false;
    const double speed = text.toDouble(&ok);
    if (!ok || !(speed >= 0.1 && speed <= 100))
        throw BadInput(QStringLiteral("'%1' is not a speed from 0.1 to 100").arg(text),
                       QStringLiteral("--speed"));
    return speed;
}

bool checkTrackerUrl(const QString& text, const QString& option, const QString& example) {
    const QUrl url(text, QUrl::StrictMode);
    const bool udp = url.scheme() == u"udp";
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != u"http" && url.scheme() != u"https" && !udp) || (udp && url.port() <= 0))
        throw BadInput(
            QStringLiteral("'%1' is not an http:// or udp:// tracker URL such as %2").arg(text, example),
            option);
    return udp;
}

} // namespace swarmscope::cli
