#include "charts/ChartTimeAxis.h"

#include <QCategoryAxis>
#include <QCoreApplication>

#include <cmath>

namespace swarmscope::ui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("swarmscope::ui::ChartTimeAxis", text);
}

} // namespace

QString timeBeforeNowLabel(double seconds, TimeUnit unit) {
    if (seconds <= 0.0)
        return tr("now");
    // A minus sign, not a hyphen: it reads as a number.
    const QString minus = QStringLiteral("\u2212");
    switch (unit) {
    case TimeUnit::Seconds:
        return minus + QString::number(qRound(seconds)) + tr(" s");
    case TimeUnit::Minutes:
        return minus + QString::number(seconds / 60.0, 'g', 3) + tr(" min");
    case TimeUnit::Hours:
        break;
    }
    return minus + QString::number(seconds / 3600.0, 'g', 3) + tr(" h");
}

TimeTicks chooseTimeTicks(double spanSeconds, int maxTicks) {
    static constexpr double kSteps[] = {1,   2,   5,    10,   15,   30,    60,    120,   300,
                                        600, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400};
    const double span = qMax(1.0, spanSeconds);
    maxTicks = qMax(1, maxTicks);
    double step = kSteps[std::size(kSteps) - 1];
    for (double candidate : kSteps) {
        if (std::ceil(span / candidate - 1e-9) <= maxTicks) {
            step = candidate;
            break;
        }
    }
    TimeTicks ticks;
    ticks.step = step;
    const int count = qMax(1, int(std::ceil(span / step - 1e-9)));
    ticks.span = count * step;
    // One unit along the whole axis.
    const TimeUnit unit = ticks.span < 300        ? TimeUnit::Seconds
                          : ticks.span < 3 * 3600 ? TimeUnit::Minutes
                                                  : TimeUnit::Hours;
    for (int i = count; i >= 0; --i)
        ticks.labels.append(timeBeforeNowLabel(i * step, unit));
    return ticks;
}

void applyTimeTicks(QCategoryAxis* axis, const TimeTicks& ticks) {
    if (axis->min() == -ticks.span && axis->max() == 0.0 && axis->categoriesLabels() == ticks.labels)
        return;
    for (const QString& label : axis->categoriesLabels())
        axis->remove(label);
    // Labels sit on the tick at the end of each category; the first category is a sliver ending at the left
    // edge, so the leftmost tick is labelled too.
    axis->setStartValue(-ticks.span - ticks.step / 1000.0);
    const int count = int(ticks.labels.size());
    for (int i = 0; i < count; ++i)
        axis->append(ticks.labels[i], -ticks.span + i * ticks.step);
    axis->setRange(-ticks.span, 0.0);
}

} // namespace swarmscope::ui
