#include "charts/ChartValueAxis.h"

#include <QValueAxis>

#include <cmath>

namespace swarmscope::ui {

AxisScale niceScale(double maxValue, int maxTicks, bool integral) {
    AxisScale scale;
    maxTicks = qMax(1, maxTicks);
    const double value = maxValue > 0 && std::isfinite(maxValue) ? maxValue : 1.0;
    const double rough = value / maxTicks;
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        const double step = m * power;
        if (integral && step < 1.0)
            continue;
        // A hair of tolerance: 1000 of something must not need a sixth tick because of rounding.
        if (std::ceil(value / step - 1e-9) <= maxTicks) {
            scale.step = step;
            break;
        }
    }
    if (scale.step <= 0 || (integral && scale.step < 1.0))
        scale.step = integral ? qMax(1.0, std::ceil(rough)) : rough;
    scale.top = qMax(1.0, std::ceil(value / scale.step - 1e-9)) * scale.step;
    // Decimals the step needs: 2.5 needs one, 0.25 two, 50 none.
    scale.decimals = 0;
    while (scale.decimals < 6 && std::abs(scale.step * std::pow(10.0, scale.decimals) -
                                          std::round(scale.step * std::pow(10.0, scale.decimals))) > 1e-6)
        ++scale.decimals;
    return scale;
}

void applyScale(QValueAxis* axis, const AxisScale& scale) {
    const QString format = QStringLiteral("%.%1f").arg(scale.decimals);
    if (axis->tickType() != QValueAxis::TicksDynamic)
        axis->setTickType(QValueAxis::TicksDynamic);
    if (axis->tickAnchor() != 0.0)
        axis->setTickAnchor(0.0);
    if (axis->tickInterval() != scale.step)
        axis->setTickInterval(scale.step);
    if (axis->labelFormat() != format)
        axis->setLabelFormat(format);
    if (axis->min() != 0.0 || axis->max() != scale.top)
        axis->setRange(0.0, scale.top);
}

RateUnit rateUnitFor(double maxBytesPerSecond) {
    static const char* const names[] = {"KiB/s", "MiB/s", "GiB/s", "TiB/s"};
    double bytes = 1024.0;
    int unit = 0;
    // 1000 KiB/s reads 0.98 MiB/s: the numbers stay short.
    while (maxBytesPerSecond / bytes >= 1000.0 && unit < 3) {
        bytes *= 1024.0;
        ++unit;
    }
    return {bytes, QString::fromLatin1(names[unit])};
}

} // namespace swarmscope::ui
