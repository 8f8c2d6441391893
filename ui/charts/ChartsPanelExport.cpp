// Saving the charts: PNG pictures of what they show, CSV files of the data behind them.
#include "charts/ChartsPanel.h"

#include "shared/ViewExport.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFileDialog>
#include <QMessageBox>
#include <QPainter>
#include <QSaveFile>
#include <QTextStream>

namespace swarmscope::ui {

namespace {

QString fileStem(ChartsPanel::Chart chart) {
    switch (chart) {
    case ChartsPanel::Chart::Rates:
        return QStringLiteral("swarmscope-rates");
    case ChartsPanel::Chart::Completion:
        return QStringLiteral("swarmscope-completion");
    case ChartsPanel::Chart::Availability:
        return QStringLiteral("swarmscope-availability");
    }
    return {};
}

} // namespace

bool ChartsPanel::exportPng(Chart chart, const QString& path, QSize logicalSize) {
    refreshNow();
    QChartView* view = viewOf(chart);
    if (!view)
        return false;
    // The tab's name is not in the picture, so the file gets a title line of its own.
    QString title = titleOf(chart);
    if (chart != Chart::Availability)
        title += QStringLiteral(" — ") +
                 (m_windowSeconds > 0 ? tr("last %1").arg(m_windowBox->currentText()) : tr("whole run"));
    // Drawn at the picture's own size, not the dock's: a chart in a narrow dock came out at 428 x 413.
    return saveWidgetPng(view, path, logicalSize, title);
}

bool ChartsPanel::exportCsv(Chart chart, const QString& path) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return false;
    QTextStream out(&file);
    switch (chart) {
    case Chart::Rates:
        shownHistory().writeRatesCsv(out, m_windowSeconds, shownEndMs());
        break;
    case Chart::Completion:
        shownHistory().writeCompletionCsv(out, m_windowSeconds, shownEndMs());
        break;
    case Chart::Availability: {
        out << "availability,pieces\n";
        const QList<int> histogram = availabilityHistogram();
        for (qsizetype k = 0; k < histogram.size(); ++k)
            out << k << ',' << histogram[k] << '\n';
        break;
    }
    }
    out.flush();
    return out.status() == QTextStream::Ok && file.commit();
}

void ChartsPanel::exportPngInteractively(Chart chart) {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save chart"), fileStem(chart) + QStringLiteral(".png"), tr("PNG images (*.png)"));
    if (!path.isEmpty() && !exportPng(chart, path))
        QMessageBox::warning(this, tr("Save chart"), tr("Could not write %1").arg(path));
}

void ChartsPanel::exportCsvInteractively(Chart chart) {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save chart data"), fileStem(chart) + QStringLiteral(".csv"), tr("CSV files (*.csv)"));
    if (!path.isEmpty() && !exportCsv(chart, path))
        QMessageBox::warning(this, tr("Save chart data"), tr("Could not write %1").arg(path));
}

} // namespace swarmscope::ui
