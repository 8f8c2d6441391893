#pragma once

#include <QString>
#include <QStringList>

QT_BEGIN_NAMESPACE
class QCategoryAxis;
QT_END_NAMESPACE

namespace swarmscope::ui {

// The time axis of the live charts: seconds before the newest sample, from -span on the left to "now" on the
// right, with a few round ticks ("-60 s", "-30 s", "now") that stay legible in a narrow chart.
struct TimeTicks {
    double span = 0;    // seconds shown, a whole number of steps
    double step = 0;    // seconds between ticks
    QStringList labels; // one per tick, left to right; the last is "now"
};

// Round ticks for at least spanSeconds of history, at most maxTicks + 1 labels.
TimeTicks chooseTimeTicks(double spanSeconds, int maxTicks = 5);

// Shows ticks on axis (a category axis with labels on the tick values), only touching it when they change.
void applyTimeTicks(QCategoryAxis* axis, const TimeTicks& ticks);

enum class TimeUnit { Seconds, Minutes, Hours };

// "−90 s", "−5 min", "−1.5 h", "now": a moment before now, as a tick says it.
QString timeBeforeNowLabel(double seconds, TimeUnit unit);

} // namespace swarmscope::ui
