#include "cli/Units.h"

#include <QRegularExpression>

#include <cmath>
#include <limits>

namespace swarmscope::cli {

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

} // namespace swarmscope::cli
