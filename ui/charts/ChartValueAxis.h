#pragma once

#include <QString>

QT_BEGIN_NAMESPACE
class QValueAxis;
QT_END_NAMESPACE

namespace swarmscope::ui {

// The value axes of the live charts: from 0 to a round top just above what the chart shows now, with ticks
// at round steps labelled as plain numbers ("0", "250", "2.5"), never "1e+03". The rate charts name their
// unit (B/s, KiB/s, MiB/s, GiB/s) in the axis title, chosen so the numbers stay below 1000.
struct AxisScale {
    double top = 1;   // the axis runs from 0 to top, a whole number of steps
    double step = 1;  // 1, 2, 2.5 or 5 times a power of ten
    int decimals = 0; // what the step needs to be written exactly
};

// A scale whose top is at least maxValue with at most maxTicks steps; integers only when integral.
AxisScale niceScale(double maxValue, int maxTicks = 5, bool integral = false);

// Puts the scale on axis, touching it only when it changes (a change relays out the whole chart).
void applyScale(QValueAxis* axis, const AxisScale& scale);

struct RateUnit {
    double bytes = 1; // bytes per second in one unit
    QString name;     // "KiB/s"
};

// The unit that writes maxBytesPerSecond as a number below 1000 (at least KiB/s, so an idle swarm's axis
// does not read in bytes).
RateUnit rateUnitFor(double maxBytesPerSecond);

} // namespace swarmscope::ui
