#include "shared/SizeFormat.h"

#include <QLocale>

namespace swarmscope::ui {

QString formatSize(qint64 bytes) {
    return QLocale::system().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat);
}

QString formatLabTime(qint64 ms, int decimals) {
    const qint64 s = ms / 1000;
    QString text = s >= 3600 ? QStringLiteral("%1:%2:%3")
                                   .arg(s / 3600)
                                   .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
                                   .arg(s % 60, 2, 10, QLatin1Char('0'))
                             : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    decimals = qBound(0, decimals, 3);
    if (decimals > 0) {
        qint64 fraction = ms % 1000;
        for (int d = decimals; d < 3; ++d)
            fraction /= 10;
        text += QStringLiteral(".%1").arg(fraction, decimals, 10, QLatin1Char('0'));
    }
    return text;
}

} // namespace swarmscope::ui
