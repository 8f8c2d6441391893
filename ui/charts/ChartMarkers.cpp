#include "charts/ChartMarkers.h"

#include <QAbstractAxis>
#include <QChart>
#include <QGraphicsSimpleTextItem>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPen>

namespace swarmscope::ui {

ChartMarkers::ChartMarkers(QChart* chart, QAbstractAxis* x, QAbstractAxis* y)
    : m_chart(chart), m_x(x), m_y(y) {
    connect(m_chart, &QChart::plotAreaChanged, this, &ChartMarkers::placeLabels);
}

ChartMarkers::~ChartMarkers() = default; // the chart owns the series and the labels

void ChartMarkers::clear() {
    for (QLineSeries* line : std::as_const(m_lines)) {
        m_chart->removeSeries(line);
        delete line;
    }
    qDeleteAll(m_labels);
    m_lines.clear();
    m_labels.clear();
}

void ChartMarkers::update(const QList<ChartMarker>& markers, qint64 nowMs, double spanSeconds, double top) {
    QList<const ChartMarker*> shown;
    for (qsizetype k = markers.size() - 1; k >= 0 && shown.size() < kMaxShown; --k) {
        const double t = (markers[k].timeMs - nowMs) / 1000.0;
        if (t <= 0 && t >= -spanSeconds)
            shown.prepend(&markers[k]);
    }
    // Same markers at the same places: nothing to redraw (the charts refresh a few times a second).
    if (shown.size() == m_lines.size()) {
        bool same = true;
        for (qsizetype k = 0; k < shown.size() && same; ++k) {
            const double t = (shown[k]->timeMs - nowMs) / 1000.0;
            const QList<QPointF> points = m_lines[k]->points();
            same = points.size() == 2 && points[0].x() == t && points[1].y() == top &&
                   m_labels[k]->text() == shown[k]->label;
        }
        if (same)
            return;
    }
    clear();
    QPen pen(QColor(90, 90, 90));
    pen.setStyle(Qt::DashLine);
    pen.setWidthF(1.2);
    for (const ChartMarker* marker : std::as_const(shown)) {
        const double t = (marker->timeMs - nowMs) / 1000.0;
        auto* line = new QLineSeries;
        line->setPen(pen);
        line->append(t, 0);
        line->append(t, top);
        line->setName(marker->label);
        m_chart->addSeries(line);
        line->attachAxis(m_x);
        line->attachAxis(m_y);
        for (QLegendMarker* legend : m_chart->legend()->markers(line))
            legend->setVisible(false);
        auto* label = new QGraphicsSimpleTextItem(marker->label, m_chart);
        label->setBrush(QColor(60, 60, 60));
        QFont font = m_chart->legend()->font();
        font.setPointSizeF(font.pointSizeF() * 0.85);
        label->setFont(font);
        label->setZValue(10);
        label->setToolTip(marker->label);
        m_lines.append(line);
        m_labels.append(label);
    }
    placeLabels();
}

void ChartMarkers::placeLabels() {
    // Beside the top of its line, turned upright so that close markers do not overwrite each other.
    for (qsizetype k = 0; k < m_lines.size(); ++k) {
        const QList<QPointF> points = m_lines[k]->points();
        if (points.size() != 2)
            continue;
        const QPointF at = m_chart->mapToPosition(points[1], m_lines[k]);
        QGraphicsSimpleTextItem* label = m_labels[k];
        label->setRotation(-90);
        label->setPos(at.x() + 2, at.y() + label->boundingRect().width() + 4);
    }
}

QStringList ChartMarkers::shownLabels() const {
    QStringList labels;
    for (const QGraphicsSimpleTextItem* label : m_labels)
        labels.append(label->text());
    return labels;
}

} // namespace swarmscope::ui
