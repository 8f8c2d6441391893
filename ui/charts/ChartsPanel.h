#pragma once

#include "charts/ChartHistory.h"
#include "charts/ChartMarkers.h"
#include "charts/ChartValueAxis.h"

#include "swarm/SwarmSnapshot.h"

#include <QList>
#include <QSize>
#include <QTimer>
#include <QWidget>

#include <memory>

QT_BEGIN_NAMESPACE
class QBarCategoryAxis;
class QBarSeries;
class QBarSet;
class QCategoryAxis;
class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineSeries;
class QTabWidget;
class QValueAxis;
QT_END_NAMESPACE

namespace swarmscope::ui {

// Three live charts of the lab, one tab each: (a) the swarm's upload and download rate over time, (b) every
// peer's completion over time, (c) how many pieces each availability count has. The time charts run from
// the start of the chosen window on the left to "now" on the right. History is sampled from the snapshots
// and kept bounded; the charts themselves refresh a few times a second, not at the snapshot rate, and only
// while visible. Each chart can be saved as PNG (what is on screen, titled) or CSV (the data behind it).
class ChartsPanel : public QWidget {
    Q_OBJECT
public:
    enum class Chart { Rates, Completion, Availability };

    explicit ChartsPanel(QWidget* parent = nullptr);
    ~ChartsPanel() override;

    void setSnapshot(const swarmscope::SwarmSnapshotPtr& snapshot);
    // 0: none. The selected peer's completion is always drawn as its own series, even when the others are
    // summarised.
    void setSelectedPeer(int peerId);
    int selectedPeer() const { return m_selectedPeer; }

    // The span of history the time charts show, in seconds; 0 shows everything kept.
    void setTimeWindowSeconds(int seconds);
    int timeWindowSeconds() const { return m_windowSeconds; }
    // Forgets every sample (a new lab).
    void clearHistory();

    // A past moment instead of the newest (the timeline scrubbed back, or a recording replayed): the charts
    // end at moment's lab time and the availability chart shows moment, drawn from history (the panel's own
    // when null). Snapshots keep adding to the panel's own history meanwhile. showLive() returns.
    void showMoment(const swarmscope::SwarmSnapshotPtr& moment, const ChartHistory* history = nullptr);
    void showLive();
    bool isShowingMoment() const { return m_moment != nullptr; }
    // Control changes, drawn on the time charts as labelled dashed lines at their lab time.
    void setMarkers(const QList<ChartMarker>& markers);
    const QList<ChartMarker>& markers() const { return m_markers; }
    // The markers the rate chart draws now (those inside its time window).
    int shownMarkerCount() const;

    // The tab on show.
    void showChart(Chart chart);
    Chart currentChart() const;

    // Brings the charts up to date with the history at once (they otherwise follow on a timer).
    void refreshNow();

    // What the charts are drawn from, and what they draw: the rate chart's series hold (seconds before the
    // newest sample, rate in rateUnitBytes() bytes per second).
    const ChartHistory& history() const { return m_history; }
    QLineSeries* downloadSeries() const { return m_downSeries; }
    QLineSeries* uploadSeries() const { return m_upSeries; }
    double rateUnitBytes() const { return m_rateUnitBytes; }
    // The rate chart's value axis now: its top and step, in rateUnitBytes() units, and its title (the unit).
    AxisScale rateScale() const { return m_rateScale; }
    QString rateAxisTitle() const;
    // The labels the rate axis shows, bottom to top, as its label format writes them.
    QStringList rateAxisLabels() const;
    // Whether the completion chart lists its series in a legend (it does not for many peers).
    bool isCompletionLegendShown() const;

    // Saving, without dialogs; false when the file cannot be written. A PNG is drawn at twice the screen's
    // pixel density at logicalSize (kExportSize unless given), a title line included, so it is exactly
    // logicalSize * 2 pixels. CSV holds the data of the current time window (the availability chart: the
    // latest snapshot's histogram).
    static constexpr QSize kExportSize{1200, 700};
    bool exportPng(Chart chart, const QString& path, QSize logicalSize = kExportSize);
    QChartView* chartView(Chart chart) const { return viewOf(chart); }
    bool exportCsv(Chart chart, const QString& path) const;
    // With a file dialog; what the buttons and context menus call.
    void exportPngInteractively(Chart chart);
    void exportCsvInteractively(Chart chart);

    // Above this many peers the completion chart shows the minimum, median and maximum instead of one
    // series per peer (plus the selected peer).
    static constexpr int kMaxPeerSeries = 24;
    // Above this many series the completion chart's legend is hidden and a line under it says so.
    static constexpr int kMaxLegendEntries = 8;
    // Samples kept per history tier.
    static constexpr int kMaxSamples = ChartHistory::kMaxSamples;

signals:
    void peerSelected(int peerId);
    // The time window changed (0: the whole run); the who-sent-what matrix sums the same span.
    void timeWindowChanged(int seconds);

protected:
    void showEvent(QShowEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    QChartView* makeView(QChart* chart, Chart which);
    QWidget* makePage(QChartView* view, QLabel* note);
    void refreshRates();
    void refreshCompletion();
    void refreshAvailability();
    QList<int> availabilityHistogram() const;
    QChartView* viewOf(Chart chart) const;
    QString titleOf(Chart chart) const;
    // The charts draw text in fonts of their own: they follow the panel's, so zoom reaches them.
    void applyFonts();

    const SwarmSnapshotPtr& shown() const { return m_moment ? m_moment : m_snapshot; }
    const ChartHistory& shownHistory() const { return m_momentHistory ? *m_momentHistory : m_history; }
    qint64 shownEndMs() const { return m_moment ? m_moment->timeMs : ChartHistory::kLatest; }
    void refreshMarkers();

    SwarmSnapshotPtr m_snapshot;
    ChartHistory m_history;
    SwarmSnapshotPtr m_moment;
    const ChartHistory* m_momentHistory = nullptr;
    QList<ChartMarker> m_markers;
    std::unique_ptr<ChartMarkers> m_rateMarkers;
    std::unique_ptr<ChartMarkers> m_completionMarkers;
    int m_selectedPeer = 0;
    int m_windowSeconds = 120;
    bool m_dirty = false;
    QTimer m_refreshTimer;
    double m_rateUnitBytes = 1.0;
    AxisScale m_rateScale;

    QTabWidget* m_tabs = nullptr;
    QComboBox* m_windowBox = nullptr;
    QChart* m_rateChart = nullptr;
    QChart* m_completionChart = nullptr;
    QChart* m_availabilityChart = nullptr;
    QChartView* m_rateView = nullptr;
    QChartView* m_completionView = nullptr;
    QChartView* m_availabilityView = nullptr;
    QLabel* m_completionNote = nullptr;
    QLineSeries* m_downSeries = nullptr;
    QLineSeries* m_upSeries = nullptr;
    QCategoryAxis* m_rateX = nullptr;
    QValueAxis* m_rateY = nullptr;
    QCategoryAxis* m_completionX = nullptr;
    QValueAxis* m_completionY = nullptr;
    QList<QLineSeries*> m_completionSeries;
    QList<int> m_completionSeriesPeer; // the peer of each series; negative for a summary series
    QBarSeries* m_availabilitySeries = nullptr;
    QBarSet* m_availabilitySet = nullptr;
    QBarCategoryAxis* m_availabilityX = nullptr;
    QValueAxis* m_availabilityY = nullptr;
};

} // namespace swarmscope::ui
