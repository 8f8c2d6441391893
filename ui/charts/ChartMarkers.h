#pragma once

#include <QList>
#include <QObject>
#include <QString>

QT_BEGIN_NAMESPACE
class QAbstractAxis;
class QChart;
class QGraphicsSimpleTextItem;
class QLineSeries;
QT_END_NAMESPACE

namespace swarmscope::ui {

// One control change on a time chart: where it happened, and the few words it is labelled with.
struct ChartMarker {
    qint64 timeMs = 0; // lab time
    QString label;     // "latency 200 ms · every peer"

    friend bool operator==(const ChartMarker&, const ChartMarker&) = default;
};

// Draws markers on one time chart whose x axis is seconds before the newest sample: a dashed vertical line
// through the plot for each, labelled at its top, left out of the legend. The labels follow the plot when
// the chart is resized.
class ChartMarkers : public QObject {
    Q_OBJECT
public:
    // At most this many, the newest, on a chart at once: more would be a grey wall.
    static constexpr int kMaxShown = 24;

    ChartMarkers(QChart* chart, QAbstractAxis* x, QAbstractAxis* y);
    ~ChartMarkers() override;

    // The markers between nowMs - spanSeconds and nowMs; top is the y axis's top, in its units.
    void update(const QList<ChartMarker>& markers, qint64 nowMs, double spanSeconds, double top);
    int shownCount() const { return int(m_lines.size()); }
    QStringList shownLabels() const;

private:
    void placeLabels();
    void clear();

    QChart* m_chart;
    QAbstractAxis* m_x;
    QAbstractAxis* m_y;
    QList<QLineSeries*> m_lines;
    QList<QGraphicsSimpleTextItem*> m_labels;
};

} // namespace swarmscope::ui
