#pragma once

#include "swarm/SwarmSnapshot.h"

#include <QChartView>
#include <QColor>
#include <QList>
#include <QMap>
#include <QString>

QT_BEGIN_NAMESPACE
class QLineSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace swarmscope::ui {

// The two runs of a comparison on one chart with one pair of axes: leechers complete over lab time, a step
// for each leecher at the instant it had every piece, and each run's Kumar–Ross bound as a dashed vertical
// line (one line when both runs have the same bound). The x axis spans both runs, so the curve further
// right is the slower swarm.
class CompareCompletionChart : public QChartView {
    Q_OBJECT
public:
    explicit CompareCompletionChart(QWidget* parent = nullptr);

    // Forgets both runs and names them anew.
    void reset(const QList<QString>& names, const QList<QColor>& colors);
    // A run's bound, in seconds of lab time (0: none).
    void setBound(int run, double seconds);
    // What a run's lab shows now: its leechers' completion instants.
    void setSnapshot(int run, const swarmscope::SwarmSnapshotPtr& snapshot);

    // For tests: the completion instants (lab ms) of a run's leechers so far, ascending, and its leechers.
    QList<qint64> completionTimes(int run) const;
    int leecherCount(int run) const;
    double xMaxSeconds() const;

private:
    struct RunCurve {
        QLineSeries* series = nullptr;
        QLineSeries* bound = nullptr;
        double boundSeconds = 0;
        QMap<int, qint64> completedAt; // leecher id -> lab ms
        int leechers = 0;
        qint64 nowMs = 0;
    };

    void redraw();

    QList<RunCurve> m_runs;
    QValueAxis* m_x = nullptr;
    QValueAxis* m_y = nullptr;
};

} // namespace swarmscope::ui
