#pragma once

#include "swarm/SwarmSnapshot.h"

#include <QColor>
#include <QWidget>

class QLabel;

namespace swarmscope {
struct ScenarioResult;
}

namespace swarmscope::ui {

class PieceMapWidget;

// One run of a comparison: a header in the run's colour saying which value of the setting it has, the
// piece map of its peers, and a line with its progress and, once done, the time of its last leecher against
// the Kumar–Ross bound.
class CompareRunPane : public QWidget {
    Q_OBJECT
public:
    explicit CompareRunPane(QWidget* parent = nullptr);

    // "A", "piece picker: rarest-first"
    void setRun(const QString& letter, const QString& value, const QColor& color);
    void setSnapshot(const swarmscope::SwarmSnapshotPtr& snapshot);
    // The run's bound, known as soon as it starts.
    void setBoundSeconds(double seconds);
    // The run has finished with this result.
    void setResult(const swarmscope::ScenarioResult& result);
    void clear();

    PieceMapWidget* pieceMap() const { return m_map; }
    QString headerText() const;
    QString statusText() const;
    // Once finished: the last leecher's time from joining to completing, and that over the bound; NaN when
    // not every leecher completed (or not finished yet).
    double lastCompletionSeconds() const { return m_lastSeconds; }
    double ratio() const { return m_ratio; }

private:
    void updateStatus();

    QLabel* m_header = nullptr;
    QLabel* m_status = nullptr;
    PieceMapWidget* m_map = nullptr;
    SwarmSnapshotPtr m_snapshot;
    double m_boundSeconds = 0;
    bool m_finished = false;
    double m_lastSeconds;
    double m_ratio;
    QString m_finalText;
};

} // namespace swarmscope::ui
