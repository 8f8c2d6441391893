// The window on a projector and on a small screen, driven through the real window and a real lab: zoom
// scales every view and is remembered, every view exports a PNG of the stated size at twice the pixels,
// the first window fits the screen with its frame, and at 1280 x 720 nothing is cut.
#include "charts/ChartsPanel.h"
#include "graph/SwarmGraphWidget.h"
#include "help/HelpPanel.h"
#include "inspector/EventLogFilterModel.h"
#include "inspector/EventLogModel.h"
#include "inspector/PeerInspector.h"
#include "matrix/TransferMatrixWidget.h"
#include "piecemap/PieceMapWidget.h"
#include "shared/LabController.h"
#include "shared/PeerSelection.h"
#include "shared/RateEdit.h"
#include "shared/ViewExport.h"
#include "window/ControlPanel.h"
#include "window/MainWindow.h"
#include "window/PeerActions.h"

#include "WindowDriver.h"

#include "swarm/SwarmLab.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QMessageBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>

using namespace swarmscope;
using namespace swarmscope::testsupport;
using namespace swarmscope::ui;

namespace {

// The docks' contents are in scroll areas so they never force the window's size; nothing may need them.
bool scrollsVertically(QWidget* content) {
    for (QWidget* w = content; w; w = w->parentWidget())
        if (auto* area = qobject_cast<QScrollArea*>(w))
            return area->widget() && area->widget()->minimumSizeHint().height() > area->viewport()->height();
    return false;
}

int viewportHeight(QWidget* content) {
    for (QWidget* w = content; w; w = w->parentWidget())
        if (auto* area = qobject_cast<QScrollArea*>(w))
            return area->viewport()->height();
    return -1;
}

} // namespace

class TestProjector : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init() { QSettings().clear(); }

    void zoomScalesEveryViewAndIsRemembered() {
        QTemporaryDir labDir;
        qreal base = 0;
        {
            MainWindow window(labIn(labDir));
            window.show();
            QVERIFY(QTest::qWaitForWindowActive(&window));
            QVERIFY(startDemoAndWait(window, slowDemo(1)));
            auto* map = window.findChild<PieceMapWidget*>();
            auto* charts = window.findChild<ChartsPanel*>();
            QChart* rates = charts->chartView(ChartsPanel::Chart::Rates)->chart();
            base = map->font().pointSizeF();
            const int rowHeight = map->rowHeight();
            const qreal nodes = window.findChild<SwarmGraphWidget*>()->nodeRadius();
            QTest::keyClick(&window, Qt::Key_Plus, Qt::ControlModifier);
            QCOMPARE(window.zoomPercent(), 110);
            QTest::keyClick(&window, Qt::Key_Equal, Qt::ControlModifier); // "+" without Shift
            QTest::keyClick(&window, Qt::Key_Plus, Qt::ControlModifier);
            QCOMPARE(window.zoomPercent(), 150);
            QCOMPARE(map->font().pointSizeF(), base * 1.5);
            QVERIFY(map->rowHeight() > rowHeight);
            QCOMPARE(window.findChild<PeerInspector*>()->font().pointSizeF(), base * 1.5);
            QCOMPARE(window.findChild<TransferMatrixWidget*>()->font().pointSizeF(), base * 1.5);
            QCOMPARE(rates->axes().first()->labelsFont().pointSizeF(), base * 1.5);
            QCOMPARE(window.findChild<QDockWidget*>(QStringLiteral("chartsDock"))->font().pointSizeF(),
                     base * 1.5);
            QVERIFY(window.findChild<SwarmGraphWidget*>()->nodeRadius() >= nodes);
            QTest::keyClick(&window, Qt::Key_Minus, Qt::ControlModifier);
            QCOMPARE(window.zoomPercent(), 125);
            QCOMPARE(QSettings().value(QStringLiteral("view/zoomPercent")).toInt(), 125);
        }
        {
            // Remembered: the next window starts zoomed.
            MainWindow window(labIn(labDir));
            QCOMPARE(window.zoomPercent(), 125);
            QCOMPARE(window.findChild<PieceMapWidget*>()->font().pointSizeF(), base * 1.25);
            window.show();
            QVERIFY(QTest::qWaitForWindowActive(&window));
            // Every widget in it has the zoomed font, the tables' headers and the menus too (headers take
            // their font again when first polished, menus are windows of their own).
            for (QWidget* w : window.findChildren<QWidget*>())
                QVERIFY2(
                    w->font().pointSizeF() == base * 1.25,
                    qPrintable(QString::fromLatin1(w->metaObject()->className()) + u' ' + w->objectName()));
            QTest::keyClick(&window, Qt::Key_0, Qt::ControlModifier);
            QCOMPARE(window.zoomPercent(), 100);
            QCOMPARE(window.findChild<PieceMapWidget*>()->font().pointSizeF(), base);
        }
    }

    void everyViewExportsAPngOfTheStatedSizeAtTwiceThePixels() {
        QTemporaryDir labDir;
        QTemporaryDir out;
        MainWindow window(labIn(labDir));
        window.resize(1280, 720);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(startDemoAndWait(window, slowDemo(3)));
        QTest::qWait(1500); // a little history for the charts and the matrix
        using View = MainWindow::ExportedView;
        for (View view : {View::PieceMap, View::Graph, View::Matrix, View::RatesChart, View::CompletionChart,
                          View::AvailabilityChart, View::Window}) {
            const QString path = out.filePath(QStringLiteral("view-%1.png").arg(int(view)));
            QVERIFY2(window.exportPng(view, path), qPrintable(path));
            const QImage image(path);
            QCOMPARE(image.size(), window.exportSize(view) * 2);
            // A picture, not a blank.
            QSet<QRgb> colours;
            for (int y = 0; y < image.height(); y += 7)
                for (int x = 0; x < image.width(); x += 7)
                    colours.insert(image.pixel(x, y));
            QVERIFY2(colours.size() > 8, qPrintable(path));
        }
        // The piece map's picture holds every row, the last one's bar included (below a title line).
        {
            auto* map = window.findChild<PieceMapWidget*>();
            const int last = window.currentSnapshot()->peers.last().id;
            const QImage image(out.filePath(QStringLiteral("view-%1.png").arg(int(View::PieceMap))));
            const int titleHeight = exportTitleHeight(map);
            const int y = (titleHeight + map->pieceBarRect(last).center().y()) * 2;
            QVERIFY2(y < image.height(), qPrintable(QStringLiteral("%1 >= %2").arg(y).arg(image.height())));
            const QColor background = map->palette().color(QPalette::Base);
            int painted = 0;
            for (int x = image.width() / 2; x < image.width() - 8; x += 4)
                painted += QColor(image.pixel(x, y)) != background ? 1 : 0;
            QVERIFY2(painted > (image.width() / 2 - 8) / 4 / 2, qPrintable(QString::number(painted)));
        }
        // The matrix's picture is its grid, labels and legend, not a grid lost in a corner.
        {
            auto* matrix = window.findChild<TransferMatrixWidget*>();
            const QSize size = window.exportSize(View::Matrix);
            const QList<int> peers = matrix->matrix().peers();
            matrix->resize(matrix->exportSize());
            const QRect last = matrix->cellRect(peers.last(), peers.last());
            QVERIFY(QRect(QPoint(0, 0), matrix->exportSize()).contains(last));
            QVERIFY2(last.right() > size.width() * 2 / 3 && last.bottom() > size.height() * 2 / 3,
                     qPrintable(QStringLiteral("%1,%2 in %3 x %4")
                                    .arg(last.right())
                                    .arg(last.bottom())
                                    .arg(size.width())
                                    .arg(size.height())));
        }
        // Sensible sizes, not the dock's: charts 1200 x 700, the whole window as it is, every piece map row.
        QCOMPARE(window.exportSize(View::RatesChart), QSize(1200, 700));
        QCOMPARE(window.exportSize(View::Window), QSize(1280, 720));
        QVERIFY(window.exportSize(View::PieceMap).width() >= 1200);
        // Nothing on screen moved.
        QCOMPARE(window.size(), QSize(1280, 720));
    }

    void theFirstWindowFitsTheScreenWithItsFrame() {
        // A 900-pixel screen with a 24-pixel panel, and a window manager's 30-pixel title bar: the status bar
        // used to end up below the screen's edge.
        const QSize size =
            MainWindow::fittedSize(QSize(1440, 900), QRect(0, 24, 1440, 876), QMargins(1, 30, 1, 1));
        QCOMPARE(size, QSize(1438, 845));
        QCOMPARE(MainWindow::fittedSize(QSize(1440, 900), QRect(0, 0, 1920, 1080), QMargins(1, 30, 1, 1)),
                 QSize(1440, 900));
        // And the window can be that small: its docks do not demand more than a 1280 x 720 screen has.
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        const QSize minimum = window.minimumSizeHint();
        QVERIFY2(minimum.width() <= 1280 && minimum.height() <= 680,
                 qPrintable(QStringLiteral("%1 x %2").arg(minimum.width()).arg(minimum.height())));
    }

    void at1280x720NothingIsClipped() {
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        window.resize(1280, 720);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(startDemoAndWait(window, slowDemo(8)));
        window.selectPeer(leecherAt(window, 0));
        QTest::qWait(300); // the default dock sizes, then a layout pass
        QCOMPARE(window.size(), QSize(1280, 720));

        // The Controls panel shows all of itself without scrolling.
        auto* controls = window.controlPanel();
        QVERIFY2(!scrollsVertically(controls), qPrintable(QStringLiteral("needs %1 px, has %2")
                                                              .arg(controls->minimumSizeHint().height())
                                                              .arg(viewportHeight(controls))));
        // The inspector's table shows every column, RTT included; the log its filter row and the sentence.
        auto* inspector = window.findChild<PeerInspector*>();
        QTableView* table = inspector->connectionView();
        int columns = 0;
        for (int c = 0; c < table->model()->columnCount(); ++c)
            if (!table->isColumnHidden(c))
                columns += table->columnWidth(c);
        QVERIFY2(columns <= table->viewport()->width(),
                 qPrintable(QStringLiteral("%1 > %2").arg(columns).arg(table->viewport()->width())));
        QVERIFY(!table->horizontalScrollBar()->isVisible());
        QWidget* filters = inspector->logFilterRow();
        QVERIFY2(
            filters->minimumSizeHint().width() <= filters->width(),
            qPrintable(
                QStringLiteral("%1 > %2").arg(filters->minimumSizeHint().width()).arg(filters->width())));
        for (QWidget* child : filters->findChildren<QWidget*>())
            if (child->isVisible())
                QVERIFY2(child->width() >= child->minimumSizeHint().width(), qPrintable(child->objectName()));
        QTableView* log = inspector->logView();
        QVERIFY(log->columnWidth(EventLogModel::WhatColumn) >=
                log->fontMetrics().horizontalAdvance(QStringLiteral("#12 → #34: have piece 567")));
        QVERIFY(!scrollsVertically(inspector));
        // Every toolbar button is on screen, none behind the overflow arrow.
        for (QToolBar* toolbar : window.findChildren<QToolBar*>())
            for (QToolButton* extension :
                 toolbar->findChildren<QToolButton*>(QStringLiteral("qt_toolbar_ext_button")))
                QVERIFY2(!extension->isVisible(), qPrintable(toolbar->objectName()));
        // The status bar is inside the window.
        QVERIFY(window.statusBar()->isVisible());
        QVERIFY(window.statusBar()->geometry().bottom() < window.height());
        // The charts' row under the plot fits.
        auto* charts = window.findChild<ChartsPanel*>();
        QVERIFY(charts->width() >= charts->minimumSizeHint().width());
    }
};

QTEST_MAIN(TestProjector)
#include "tst_projector.moc"
