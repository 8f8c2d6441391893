#include "compare/CompareCompletionChart.h"

#include <QChart>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace swarmscope::ui {

namespace {

// A round end for the time axis, a little past the last thing drawn.
double niceSpan(double seconds) {
    for (double step : {5.0,   10.0,  15.0,  20.0,  25.0,  30.0,  40.0,  50.0,  60.0,   80.0,
                        100.0, 120.0, 150.0, 200.0, 300.0, 400.0, 600.0, 900.0, 1200.0, 1800.0})
        if (seconds <= step)
            return step;
    return std::ceil(seconds / 600.0) * 600.0;
}

} // namespace

// The chart is handed to the view as it is made: QChartView(parent) would make a chart of its own, which
// setChart() then lets go of without deleting.
CompareCompletionChart::CompareCompletionChart(QWidget* parent) : QChartView(new QChart, parent) {
    setObjectName(QStringLiteral("compareCompletionChart"));
    setRenderHint(QPainter::Antialiasing);
    QChart* chart = this->chart();
    chart->setTitle(tr("Leechers that have the whole file, over lab time"));
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    m_x = new QValueAxis;
    m_x->setTitleText(tr("lab time (s)"));
    m_x->setLabelFormat(QStringLiteral("%.0f"));
    m_y = new QValueAxis;
    m_y->setTitleText(tr("leechers complete"));
    m_y->setLabelFormat(QStringLiteral("%.0f"));
    chart->addAxis(m_x, Qt::AlignBottom);
    chart->addAxis(m_y, Qt::AlignLeft);
    setMinimumSize(320, 220);
}

void CompareCompletionChart::reset(const QList<QString>& names, const QList<QColor>& colors) {
    QChart* c = chart();
    c->removeAllSeries();
    m_runs.clear();
    for (int i = 0; i < names.size(); ++i) {
        RunCurve run;
        run.series = new QLineSeries;
        run.series->setName(names.at(i));
        QPen pen(colors.value(i, Qt::black));
        pen.setWidthF(2.5);
        run.series->setPen(pen);
        run.bound = new QLineSeries;
        QPen dashed(colors.value(i, Qt::black));
        dashed.setStyle(Qt::DashLine);
        dashed.setWidthF(1.5);
        run.bound->setPen(dashed);
        for (QLineSeries* s : {run.series, run.bound}) {
            c->addSeries(s);
            s->attachAxis(m_x);
            s->attachAxis(m_y);
        }
        m_runs.append(run);
    }
    redraw();
}

void CompareCompletionChart::setBound(int run, double seconds) {
    if (run < 0 || run >= m_runs.size())
        return;
    m_runs[run].boundSeconds = seconds;
    redraw();
}

void CompareCompletionChart::setSnapshot(int run, const SwarmSnapshotPtr& snapshot) {
    if (run < 0 || run >= m_runs.size() || !snapshot)
        return;
    RunCurve& curve = m_runs[run];
    int leechers = 0;
    for (const LabPeerSnapshot& p : snapshot->peers) {
        if (p.role != TorrentRole::Leecher)
            continue;
        ++leechers;
        if (p.completedAtMs >= 0 && !curve.completedAt.contains(p.id))
            curve.completedAt.insert(p.id, p.completedAtMs);
    }
    curve.leechers = std::max(curve.leechers, leechers);
    curve.nowMs = std::max(curve.nowMs, snapshot->timeMs);
    redraw();
}

QList<qint64> CompareCompletionChart::completionTimes(int run) const {
    if (run < 0 || run >= m_runs.size())
        return {};
    QList<qint64> times = m_runs.at(run).completedAt.values();
    std::sort(times.begin(), times.end());
    return times;
}

int CompareCompletionChart::leecherCount(int run) const {
    return run >= 0 && run < m_runs.size() ? m_runs.at(run).leechers : 0;
}

double CompareCompletionChart::xMaxSeconds() const {
    return m_x->max();
}

void CompareCompletionChart::redraw() {
    double xEnd = 0;
    int yEnd = 1;
    for (const RunCurve& run : std::as_const(m_runs)) {
        xEnd = std::max({xEnd, run.nowMs / 1000.0, run.boundSeconds * 1.1});
        yEnd = std::max(yEnd, run.leechers);
    }
    const double span = niceSpan(std::max(xEnd, 1.0));
    m_x->setRange(0, span);
    m_x->setTickType(QValueAxis::TicksDynamic);
    m_x->setTickAnchor(0);
    m_x->setTickInterval(span / 5);
    m_y->setRange(0, yEnd);
    m_y->setTickCount(std::min(yEnd, 10) + 1);
    for (int i = 0; i < m_runs.size(); ++i) {
        RunCurve& run = m_runs[i];
        // A step at each completion: the count holds until the next leecher is done.
        QList<QPointF> points{{0, 0}};
        int done = 0;
        for (qint64 ms : completionTimes(i)) {
            points.append({ms / 1000.0, double(done)});
            ++done;
            points.append({ms / 1000.0, double(done)});
        }
        points.append({run.nowMs / 1000.0, double(done)});
        run.series->replace(points);
        // Two runs with the same caps have the same bound: one line, named once.
        const bool sameAsEarlier = i > 0 && m_runs.at(0).boundSeconds == run.boundSeconds;
        if (run.boundSeconds > 0 && !sameAsEarlier) {
            run.bound->replace({{run.boundSeconds, 0}, {run.boundSeconds, double(yEnd)}});
            const bool boundsDiffer =
                m_runs.size() > 1 && m_runs.at(0).boundSeconds != m_runs.at(1).boundSeconds;
            const QString who = boundsDiffer ? run.series->name().section(u':', 0, 0) + u' ' : QString();
            run.bound->setName(tr("%1Kumar–Ross bound: %2 s").arg(who).arg(run.boundSeconds, 0, 'f', 1));
            // One bound for both is neither run's: grey.
            if (!boundsDiffer) {
                QPen pen = run.bound->pen();
                pen.setColor(QColor(0x55, 0x55, 0x55));
                run.bound->setPen(pen);
            }
            run.bound->setVisible(true);
        } else {
            run.bound->clear();
            run.bound->setVisible(false);
        }
    }
    // Hidden bound lines stay out of the legend.
    for (const RunCurve& run : std::as_const(m_runs))
        for (QLegendMarker* marker : chart()->legend()->markers(run.bound))
            marker->setVisible(run.bound->isVisible());
}

} // namespace swarmscope::ui
