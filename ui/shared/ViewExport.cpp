#include "shared/ViewExport.h"

#include <QCoreApplication>
#include <QPaintEngine>
#include <QPainter>
#include <QWidget>

namespace swarmscope::ui {

qreal paintScale(const QPainter& painter) {
    // QWidget::render() redirects the widget's painter to the target image, whose ratio only the engine's
    // device knows; QPainter::device() still answers with the widget.
    if (const QPaintEngine* engine = painter.paintEngine())
        if (const QPaintDevice* device = engine->paintDevice())
            return device->devicePixelRatioF();
    return painter.device() ? painter.device()->devicePixelRatioF() : 1.0;
}

QImage renderWidget(QWidget* widget, QSize logicalSize, qreal scale) {
    if (!widget)
        return {};
    const QSize old = widget->size();
    if (logicalSize.isEmpty())
        logicalSize = old;
    const bool resized = logicalSize != old;
    if (resized) {
        widget->resize(logicalSize);
        // Layouts of widgets and of a chart's graphics items settle through posted requests.
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    }
    QImage image((QSizeF(logicalSize) * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(scale);
    image.fill(widget->palette().color(QPalette::Window));
    widget->render(&image, QPoint(), QRegion(), QWidget::DrawWindowBackground | QWidget::DrawChildren);
    if (resized) {
        widget->resize(old);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    }
    return image;
}

namespace {

QFont titleFont(const QWidget* widget) {
    QFont font = widget->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 1.2);
    return font;
}

} // namespace

int exportTitleHeight(const QWidget* widget) {
    return QFontMetrics(titleFont(widget)).height() + 12;
}

QImage renderTitled(QWidget* widget, QSize logicalSize, const QString& title, qreal scale) {
    if (!widget)
        return {};
    if (logicalSize.isEmpty())
        logicalSize = widget->size();
    if (title.isEmpty())
        return renderWidget(widget, logicalSize, scale);
    const QFont font = titleFont(widget);
    const int titleHeight = exportTitleHeight(widget);
    const QImage body = renderWidget(widget, logicalSize - QSize(0, titleHeight), scale);
    QImage out((QSizeF(logicalSize) * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    out.setDevicePixelRatio(scale);
    out.fill(widget->palette().color(QPalette::Base));
    QPainter painter(&out);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.setFont(font);
    painter.setPen(widget->palette().color(QPalette::Text));
    painter.drawText(QRectF(0, 0, logicalSize.width(), titleHeight), Qt::AlignCenter, title);
    painter.drawImage(QPointF(0, titleHeight), body);
    painter.end();
    return out;
}

bool saveWidgetPng(QWidget* widget, const QString& path, QSize logicalSize, const QString& title,
                   qreal scale) {
    const QImage image = renderTitled(widget, logicalSize, title, scale);
    return !image.isNull() && image.save(path, "PNG");
}

} // namespace swarmscope::ui
