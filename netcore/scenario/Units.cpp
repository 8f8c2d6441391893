#include "scenario/Units.h"

#include <QRegularExpression>

#include <cmath>
#include <limits>

namespace swarmscope {

std::optional<qint64> parseSize(const QString& text) {
    static const QRegularExpression pattern(
        QStringLiteral("^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(B|KiB|MiB|GiB|TiB|kB|KB|MB|GB|TB|K|M|G|T)?\\s*$"));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    bool ok = false;
    const double number = match.captured(1).toDouble(&ok);
    if (!ok)
        return std::nullopt;
    const QString unit = match.captured(2);
    double scale = 1;
    if (unit == u"KiB" || unit == u"K")
        scale = 1024.0;
    else if (unit == u"MiB" || unit == u"M")
        scale = 1024.0 * 1024;
    else if (unit == u"GiB" || unit == u"G")
        scale = 1024.0 * 1024 * 1024;
    else if (unit == u"TiB" || unit == u"T")
        scale = 1024.0 * 1024 * 1024 * 1024;
    else if (unit == u"kB" || unit == u"KB")
        scale = 1e3;
    else if (unit == u"MB")
        scale = 1e6;
    else if (unit == u"GB")
        scale = 1e9;
    else if (unit == u"TB")
        scale = 1e12;
    const double bytes = std::round(number * scale);
    if (bytes > double(std::numeric_limits<qint64>::max() / 2))
        return std::nullopt;
    return qint64(bytes);
}

std::optional<qint64> parseRate(const QString& text) {
    QString t = text.trimmed();
    if (t.endsWith(QStringLiteral("/s")))
        t.chop(2);
    return parseSize(t);
}

std::optional<qint64> parseDuration(const QString& text) {
    static const QRegularExpression pattern(
        QStringLiteral("^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|min|h)?\\s*$"));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    bool ok = false;
    const double number = match.captured(1).toDouble(&ok);
    if (!ok)
        return std::nullopt;
    const QString unit = match.captured(2);
    if (unit.isEmpty())
        return number == 0 ? std::optional<qint64>(0) : std::nullopt; // "30" could mean seconds or ms
    double scale = 1;
    if (unit == u"s")
        scale = 1000.0;
    else if (unit == u"min")
        scale = 60'000.0;
    else if (unit == u"h")
        scale = 3'600'000.0;
    const double ms = number * scale;
    if (ms > double(kMaxDurationMs))
        return std::nullopt;
    const double whole = std::round(ms);
    if (std::abs(ms - whole) > 1e-6)
        return std::nullopt;
    return qint64(whole);
}

std::optional<double> parsePercentage(const QString& text) {
    static const QRegularExpression pattern(QStringLiteral("^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*%\\s*$"));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    bool ok = false;
    const double number = match.captured(1).toDouble(&ok);
    if (!ok)
        return std::nullopt;
    return number / 100.0;
}

QString formatSize(qint64 bytes) {
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = double(bytes);
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        ++unit;
    }
    if (unit == 0)
        return QStringLiteral("%1 B").arg(bytes);
    return QStringLiteral("%1 %2").arg(value, 0, 'f', value < 10 ? 2 : 1).arg(QLatin1String(units[unit]));
}

QString formatSizeExact(qint64 bytes) {
    static const struct {
        const char* suffix;
        qint64 factor;
    } units[] = {{"TiB", 1LL << 40}, {"GiB", 1LL << 30}, {"MiB", 1LL << 20}, {"KiB", 1LL << 10}};
    if (bytes > 0) {
        for (const auto& unit : units)
            if (bytes % unit.factor == 0)
                return QString::number(bytes / unit.factor) + QLatin1String(unit.suffix);
    }
    return QString::number(bytes);
}

QString formatRateExact(qint64 bytesPerSecond) {
    if (bytesPerSecond == 0)
        return QStringLiteral("0");
    const QString size = formatSizeExact(bytesPerSecond);
    // A plain number means bytes; "B" keeps it a rate to the reader.
    return (size.back().isDigit() ? size + QStringLiteral("B") : size) + QStringLiteral("/s");
}

QString formatDuration(qint64 milliseconds) {
    if (milliseconds == 0)
        return QStringLiteral("0s");
    if (milliseconds % 3'600'000 == 0)
        return QString::number(milliseconds / 3'600'000) + QStringLiteral("h");
    if (milliseconds % 60'000 == 0)
        return QString::number(milliseconds / 60'000) + QStringLiteral("min");
    if (milliseconds % 1000 == 0)
        return QString::number(milliseconds / 1000) + QStringLiteral("s");
    return QString::number(milliseconds) + QStringLiteral("ms");
}

} // namespace swarmscope
