#include "cli/ExperimentPlots.h"

#ifdef SWARMSCOPE_HAVE_GUI
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPixmap>
#include <QValueAxis>

#include <cmath>
#include <iterator>
#endif

namespace swarmscope::cli {

bool canRenderPlots(QString* why) {
#ifdef SWARMSCOPE_HAVE_GUI
    if (qobject_cast<QApplication*>(QCoreApplication::instance()))
        return true;
    if (why)
        *why = QStringLiteral("plots need the application set up for drawing");
    return false;
#else
    if (why)
        *why = QStringLiteral("this build has no Qt Charts (it was built without the desktop interface)");
    return false;
#endif
}

bool renderExperimentPlot(const ExperimentPlot& plot, const QString& path, QString* error) {
#ifdef SWARMSCOPE_HAVE_GUI
    if (!canRenderPlots(error))
        return false;
    auto* chart = new QChart;
    chart->setTitle(plot.title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setAnimationOptions(QChart::NoAnimation);
    QAbstractAxis* x = nullptr;
    if (plot.logX) {
        auto* axis = new QLogValueAxis;
        axis->setBase(10);
        axis->setLabelFormat(QStringLiteral("%g"));
        x = axis;
    } else {
        auto* axis = new QValueAxis;
        axis->setLabelFormat(QStringLiteral("%g"));
        x = axis;
    }
    x->setTitleText(plot.xLabel);
    auto* y = new QValueAxis;
    y->setTitleText(plot.yLabel);
    y->setLabelFormat(QStringLiteral("%g"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    double xMin = INFINITY, xMax = -INFINITY, yMax = 0;
    // The palette of Qt Charts' default theme, for series that share a colour.
    static const QColor kPalette[] = {QColor(0x20, 0x9f, 0xdf), QColor(0x99, 0xca, 0x53),
                                      QColor(0xf6, 0xa6, 0x25), QColor(0x6d, 0x5f, 0xd5),
                                      QColor(0xbf, 0x59, 0x3e), QColor(0x44, 0x44, 0x44)};
    for (const ExperimentSeries& s : plot.series) {
        auto* line = new QLineSeries;
        line->setName(s.name);

        for (const QPointF& p : s.points) {
            if (!std::isfinite(p.x()) || !std::isfinite(p.y()) || (plot.logX && p.x() <= 0))
                continue;
            line->append(p);
            xMin = qMin(xMin, p.x());
            xMax = qMax(xMax, p.x());
            yMax = qMax(yMax, p.y());
        }
        line->setPointsVisible(!s.dashed && s.points.size() <= 12);
        chart->addSeries(line);
        QPen pen = line->pen(); // the theme's, given by addSeries
        pen.setWidthF(s.dashed ? 1.5 : 2.5);
        if (s.colour >= 0)
            pen.setColor(kPalette[size_t(s.colour) % std::size(kPalette)]);
        if (s.dashed)
            pen.setStyle(Qt::DashLine);
        line->setPen(pen);
        line->attachAxis(x);
        line->attachAxis(y);
    }
    if (std::isfinite(xMin) && xMax > xMin)
        x->setRange(plot.logX ? xMin : qMin(0.0, xMin), xMax);
    if (yMax <= 1.0) { // a fraction: 0 to 1 in fifths
        y->setRange(0, 1);
        y->setTickCount(6);
    } else {
        y->setRange(0, yMax * 1.05);
    }
    if (!plot.logX)
        static_cast<QValueAxis*>(x)->applyNiceNumbers();
    if (yMax > 1.0)
        y->applyNiceNumbers();

    QChartView view(chart); // takes the chart
    view.setRenderHint(QPainter::Antialiasing);
    view.resize(960, 600);
    const QPixmap pixmap = view.grab();
    if (pixmap.isNull() || !pixmap.save(path, "PNG")) {
        *error = QStringLiteral("cannot write the plot");
        return false;
    }
    return true;
#else
    Q_UNUSED(plot);
    Q_UNUSED(path);
    return canRenderPlots(error);
#endif
}

} // namespace swarmscope::cli
