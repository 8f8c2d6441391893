#pragma once

#include <QImage>
#include <QSize>
#include <QString>

class QPainter;
class QWidget;

namespace swarmscope::ui {

// Pictures of the views for slides and papers: at twice the screen's pixel density, so they stay sharp on a
// projector or in print, and at a size chosen for the picture rather than whatever the dock happens to be.

// How many device pixels the painter draws per logical pixel: 2 while a view is rendered for export, the
// screen's ratio otherwise. Views that cache images of themselves render them at this scale.
qreal paintScale(const QPainter& painter);

// The pixel density exports are made at.
constexpr qreal kExportScale = 2.0;

// Renders widget as it draws itself at logicalSize (its current size when empty), scale device pixels per
// logical pixel. The widget is resized for the picture and put back before this returns, without a trip
// through the event loop, so the screen never shows the other size.
QImage renderWidget(QWidget* widget, QSize logicalSize = {}, qreal scale = kExportScale);

// The same picture, logicalSize in all, with a title line at the top (none when title is empty): a chart
// does not say which tab it was on.
QImage renderTitled(QWidget* widget, QSize logicalSize, const QString& title, qreal scale = kExportScale);

// The height renderTitled() gives a title line over widget: a view whose picture must show all of itself
// asks for this much more than its own size.
int exportTitleHeight(const QWidget* widget);

// renderTitled() saved as PNG, of exactly logicalSize * scale pixels; false when it cannot be written.
bool saveWidgetPng(QWidget* widget, const QString& path, QSize logicalSize = {}, const QString& title = {},
                   qreal scale = kExportScale);

} // namespace swarmscope::ui
