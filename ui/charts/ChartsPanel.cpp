#include "charts/ChartsPanel.h"

#include "charts/ChartTimeAxis.h"
#include "charts/ChartValueAxis.h"
#include "shared/PieceAvailability.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QMenu>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

namespace swarmscope::ui {

namespace {

constexpr int kRefreshMs = 250; // the charts follow the history four times a second
constexpr int kMaxPoints = 600; // per series on screen; more would not show at any chart width
constexpr int kMaxBins = 25;    // availability bars
constexpr quint16 kAbsent = ChartHistory::kAbsent;

QCategoryAxis* makeTimeAxis() {
    auto* axis = new QCategoryAxis;
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    return axis;
}

} // namespace

ChartsPanel::ChartsPanel(QWidget* parent) : QWidget(parent) {
    m_rateChart = new QChart;
    m_downSeries = new QLineSeries;
    m_downSeries->setName(tr("download"));
    m_upSeries = new QLineSeries;
    m_upSeries->setName(tr("upload"));
    m_rateChart->addSeries(m_downSeries);
    m_rateChart->addSeries(m_upSeries);
    m_rateX = makeTimeAxis();
    m_rateY = new QValueAxis;
    m_rateY->setTitleText(tr("KiB/s"));
    m_rateChart->addAxis(m_rateX, Qt::AlignBottom);
    m_rateChart->addAxis(m_rateY, Qt::AlignLeft);
    for (QLineSeries* s : {m_downSeries, m_upSeries}) {
        s->attachAxis(m_rateX);
        s->attachAxis(m_rateY);
    }

    m_completionChart = new QChart;
    m_completionX = makeTimeAxis();
    m_completionY = new QValueAxis;
    applyScale(m_completionY, AxisScale{100, 25, 0});
    m_completionY->setTitleText(tr("% complete"));
    m_completionChart->addAxis(m_completionX, Qt::AlignBottom);
    m_completionChart->addAxis(m_completionY, Qt::AlignLeft);
    m_rateMarkers = std::make_unique<ChartMarkers>(m_rateChart, m_rateX, m_rateY);
    m_completionMarkers = std::make_unique<ChartMarkers>(m_completionChart, m_completionX, m_completionY);

    m_availabilityChart = new QChart;
    m_availabilitySeries = new QBarSeries;
    m_availabilitySet = new QBarSet(tr("pieces"));
    m_availabilitySeries->append(m_availabilitySet);
    m_availabilityChart->addSeries(m_availabilitySeries);
    m_availabilityX = new QBarCategoryAxis;
    m_availabilityX->setTitleText(tr("peers that have the piece"));
    m_availabilityY = new QValueAxis;
    m_availabilityY->setTitleText(tr("pieces"));

    m_availabilityChart->addAxis(m_availabilityX, Qt::AlignBottom);
    m_availabilityChart->addAxis(m_availabilityY, Qt::AlignLeft);
    m_availabilitySeries->attachAxis(m_availabilityX);
    m_availabilitySeries->attachAxis(m_availabilityY);
    m_availabilityChart->legend()->hide();

    m_rateView = makeView(m_rateChart, Chart::Rates);
    m_completionView = makeView(m_completionChart, Chart::Completion);
    m_availabilityView = makeView(m_availabilityChart, Chart::Availability);
    m_rateChart->legend()->setAlignment(Qt::AlignTop);
    m_completionChart->legend()->setAlignment(Qt::AlignBottom);

    m_completionNote = new QLabel(this);
    m_completionNote->setWordWrap(true);
    m_completionNote->setForegroundRole(QPalette::PlaceholderText);
    m_completionNote->hide();
    auto* availabilityNote =
        new QLabel(tr("How many pieces 0, 1, 2, … of the torrent's peers hold right now. The bar at 0 must "
                      "stay empty: a piece nobody has can never be downloaded."),
                   this);
    availabilityNote->setWordWrap(true);
    availabilityNote->setForegroundRole(QPalette::PlaceholderText);

    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(makePage(m_rateView, nullptr), tr("Transfer rate"));
    m_tabs->addTab(makePage(m_completionView, m_completionNote), tr("Completion"));
    m_tabs->addTab(makePage(m_availabilityView, availabilityNote), tr("Availability"));
    m_tabs->setTabToolTip(0, tr("The swarm's download and upload rate, all peers together"));
    m_tabs->setTabToolTip(1,
                          tr("Each peer's share of the torrent over time; click a line to select its peer"));
    m_tabs->setTabToolTip(2, tr("How many peers hold each piece, now"));

    m_windowBox = new QComboBox(this);
    m_windowBox->setObjectName(QStringLiteral("timeWindowBox"));
    m_windowBox->setToolTip(tr("How much history the time charts show, and the span the who-sent-what "
                               "matrix sums; the rate axis fits what this window shows"));
    m_windowBox->addItem(tr("30 s"), 30);
    m_windowBox->addItem(tr("2 min"), 120);
    m_windowBox->addItem(tr("10 min"), 600);
    m_windowBox->addItem(tr("whole run"), 0);
    m_windowBox->setCurrentIndex(1);
    connect(m_windowBox, &QComboBox::currentIndexChanged, this,
            [this](int) { setTimeWindowSeconds(m_windowBox->currentData().toInt()); });

    auto* exportButton = new QToolButton(this);
    exportButton->setText(tr("Export…"));
    exportButton->setToolTip(tr("Save a chart as a PNG image, or the data behind it as CSV"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    auto* exportMenu = new QMenu(exportButton);
    for (Chart chart : {Chart::Rates, Chart::Completion, Chart::Availability}) {
        const QString what = titleOf(chart);
        exportMenu->addAction(tr("%1 as PNG…").arg(what), this,
                              [this, chart] { exportPngInteractively(chart); });
        exportMenu->addAction(tr("%1 as CSV…").arg(what), this,
                              [this, chart] { exportCsvInteractively(chart); });
    }
    exportButton->setMenu(exportMenu);

    // Under the charts, a slim row: the tab bar keeps the whole width for the tabs' names.
    auto* bottom = new QHBoxLayout;
    bottom->setContentsMargins(4, 0, 2, 0);
    bottom->setSpacing(6);
    auto* windowLabel = new QLabel(tr("Show the last"), this);
    windowLabel->setBuddy(m_windowBox);
    bottom->addWidget(windowLabel);
    bottom->addWidget(m_windowBox);
    bottom->addStretch(1);
    bottom->addWidget(exportButton);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(2);
    layout->addWidget(m_tabs, 1);
    layout->addLayout(bottom);

    connect(m_tabs, &QTabWidget::currentChanged, this, [this, windowLabel]() {
        // The histogram is of now; the window is the time charts' alone.
        const bool timed = currentChart() != Chart::Availability;
        windowLabel->setEnabled(timed);
        m_windowBox->setEnabled(timed);
        if (m_dirty)
            refreshNow();
    });
    m_refreshTimer.setInterval(kRefreshMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, [this] {
        if (m_dirty && isVisible())
            refreshNow();
    });
    m_refreshTimer.start();
    applyFonts();
    refreshNow();
}

ChartsPanel::~ChartsPanel() = default;

QChartView* ChartsPanel::makeView(QChart* chart, Chart which) {
    chart->setAnimationOptions(QChart::NoAnimation);
    // A flat background: the theme's rounded, shaded one is blended span by span on every repaint.
    chart->setBackgroundRoundness(0);
    chart->setBackgroundBrush(palette().color(QPalette::Base));
    chart->setBackgroundPen(Qt::NoPen);
    chart->setMargins(QMargins(2, 2, 6, 2));
    auto* view = new QChartView(chart, this);
    view->setMinimumSize(200, 140);
    view->setFrameShape(QFrame::NoFrame);
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view, &QWidget::customContextMenuRequested, this, [this, view, which](const QPoint& pos) {
        QMenu menu;
        menu.setFont(font()); // a window of its own: the window's zoom does not reach it
        menu.addAction(tr("Save chart as PNG…"), this, [this, which] { exportPngInteractively(which); });
        menu.addAction(tr("Save data as CSV…"), this, [this, which] { exportCsvInteractively(which); });
        menu.exec(view->mapToGlobal(pos));
    });
    return view;
}

QWidget* ChartsPanel::makePage(QChartView* view, QLabel* note) {
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(view, 1);
    if (note) {
        note->setContentsMargins(6, 0, 6, 2);
        layout->addWidget(note);
    }
    return page;
}

QChartView* ChartsPanel::viewOf(Chart chart) const {
    switch (chart) {
    case Chart::Rates:
        return m_rateView;
    case Chart::Completion:
        return m_completionView;
    case Chart::Availability:
        return m_availabilityView;
    }
    return nullptr;
}

QString ChartsPanel::titleOf(Chart chart) const {
    switch (chart) {
    case Chart::Rates:
        return tr("Swarm transfer rate");
    case Chart::Completion:
        return tr("Completion per peer");
    case Chart::Availability:
        return tr("Piece availability");
    }
    return {};
}

void ChartsPanel::showChart(Chart chart) {
    m_tabs->setCurrentIndex(int(chart));
}

ChartsPanel::Chart ChartsPanel::currentChart() const {
    return Chart(m_tabs->currentIndex());
}

bool ChartsPanel::isCompletionLegendShown() const {
    return m_completionChart->legend()->isVisible();
}

void ChartsPanel::setSnapshot(const SwarmSnapshotPtr& snapshot) {
    m_snapshot = snapshot;
    if (snapshot)
        m_history.add(*snapshot);
    m_dirty = true;
}

void ChartsPanel::showMoment(const SwarmSnapshotPtr& moment, const ChartHistory* history) {
    m_moment = moment;
    m_momentHistory = history;
    refreshNow();
}

void ChartsPanel::showLive() {
    if (!m_moment && !m_momentHistory)
        return;
    m_moment = nullptr;
    m_momentHistory = nullptr;
    refreshNow();
}

void ChartsPanel::setMarkers(const QList<ChartMarker>& markers) {
    if (markers == m_markers)
        return;
    m_markers = markers;
    m_dirty = true;
}

void ChartsPanel::setSelectedPeer(int peerId) {
    if (peerId == m_selectedPeer)
        return;
    m_selectedPeer = peerId;
    m_dirty = true;
}

void ChartsPanel::setTimeWindowSeconds(int seconds) {
    m_windowSeconds = qMax(0, seconds);
    const int index = m_windowBox->findData(m_windowSeconds);
    if (index >= 0 && index != m_windowBox->currentIndex())
        m_windowBox->setCurrentIndex(index);
    refreshNow();
    emit timeWindowChanged(m_windowSeconds);
}

void ChartsPanel::clearHistory() {
    m_history.clear();
    refreshNow();
}

void ChartsPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_dirty)
        refreshNow();
}

void ChartsPanel::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        applyFonts();
}

void ChartsPanel::applyFonts() {
    // A QChart is a graphics item: it takes no font from the widget it sits in, so zoom is passed on here.
    const QFont labels = font();
    QFont titles = font();
    titles.setBold(true);
    for (QChart* chart : {m_rateChart, m_completionChart, m_availabilityChart}) {
        chart->legend()->setFont(labels);
        for (QAbstractAxis* axis : chart->axes()) {
            axis->setLabelsFont(labels);
            axis->setTitleFont(titles);
        }
    }
}

QString ChartsPanel::rateAxisTitle() const {
    return m_rateY->titleText();
}

QStringList ChartsPanel::rateAxisLabels() const {
    QStringList labels;
    const QByteArray format = m_rateY->labelFormat().toLatin1();
    for (int i = 0; i * m_rateScale.step <= m_rateScale.top + 1e-9; ++i)
        labels.append(QString::asprintf(format.constData(), i * m_rateScale.step));
    return labels;
}

void ChartsPanel::refreshNow() {
    refreshRates();
    refreshCompletion();
    refreshAvailability();
    m_dirty = false;
}

namespace {

// Seconds the time axis spans for these samples: the history so far, up to the window. A young history
// fills the chart instead of hugging its right edge; the ticks round the span up, so it grows in steps.
double shownSpan(const std::vector<const ChartHistory::Sample*>& samples, int windowSeconds) {
    const double history =
        samples.size() < 2 ? 0.0 : (samples.back()->timeMs - samples.front()->timeMs) / 1000.0;
    const double span = qMax(10.0, history);
    return windowSeconds > 0 ? qMin(span, double(windowSeconds)) : span;
}

} // namespace

void ChartsPanel::refreshRates() {
    const std::vector<const ChartHistory::Sample*> samples =
        shownHistory().window(m_windowSeconds, kMaxPoints, shownEndMs());
    // The scale is that of what the window shows now: a spike that has left the window no longer flattens
    // what came after it (a 20 KiB/s cap was invisible under an old 100 MiB/s spike's axis).
    double maxRate = 1000.0; // an idle swarm reads 0 to 1 KiB/s, not fractions of a byte
    for (const ChartHistory::Sample* s : samples)
        maxRate = std::max({maxRate, double(s->downloadRate), double(s->uploadRate)});
    const RateUnit unitOfRate = rateUnitFor(maxRate);
    const double divisor = unitOfRate.bytes;
    const QString unit = unitOfRate.name;
    m_rateUnitBytes = divisor;
    const qint64 now = samples.empty() ? 0 : samples.back()->timeMs;
    QList<QPointF> down;
    QList<QPointF> up;
    down.reserve(qsizetype(samples.size()));
    up.reserve(qsizetype(samples.size()));
    for (const ChartHistory::Sample* s : samples) {
        const double t = (s->timeMs - now) / 1000.0;
        down.append({t, s->downloadRate / divisor});
        up.append({t, s->uploadRate / divisor});
    }
    m_downSeries->replace(down);
    m_upSeries->replace(up);
    applyTimeTicks(m_rateX, chooseTimeTicks(shownSpan(samples, m_windowSeconds)));
    m_rateScale = niceScale(maxRate / divisor * 1.02);
    applyScale(m_rateY, m_rateScale);
    m_rateMarkers->update(m_markers, now, shownSpan(samples, m_windowSeconds), m_rateScale.top);
    if (m_rateY->titleText() != unit)
        m_rateY->setTitleText(unit);
}

void ChartsPanel::refreshCompletion() {
    // Which series: one per peer while that stays readable, else a summary band plus the selected peer.
    QList<int> wanted; // peer ids; kMin/kMedian/kMax for the summary
    constexpr int kMin = -1;
    constexpr int kMedian = -2;
    constexpr int kMax = -3;
    const QList<LabPeerSnapshot> none;
    const SwarmSnapshotPtr& shownSnapshot = shown();
    const QList<LabPeerSnapshot>& peers = shownSnapshot ? shownSnapshot->peers : none;
    if (peers.size() <= kMaxPeerSeries) {
        for (const LabPeerSnapshot& p : peers)
            wanted.append(p.id);
    } else {
        wanted = {kMax, kMedian, kMin};
        if (m_selectedPeer > 0 && shownSnapshot->peer(m_selectedPeer))
            wanted.append(m_selectedPeer);
    }
    if (wanted != m_completionSeriesPeer) {
        for (QLineSeries* s : std::as_const(m_completionSeries)) {
            m_completionChart->removeSeries(s);
            delete s;
        }
        m_completionSeries.clear();
        m_completionSeriesPeer = wanted;
        for (int key : wanted) {
            auto* s = new QLineSeries;
            if (key == kMin)
                s->setName(tr("slowest"));
            else if (key == kMedian)
                s->setName(tr("median"));
            else if (key == kMax)
                s->setName(tr("fastest"));
            else
                s->setName(QStringLiteral("#%1").arg(key));
            m_completionChart->addSeries(s);
            s->attachAxis(m_completionX);
            s->attachAxis(m_completionY);
            if (key > 0)
                connect(s, &QLineSeries::clicked, this,
                        [this, key](const QPointF&) { emit peerSelected(key); });
            m_completionSeries.append(s);
        }
        // A legend of dozens of entries would squeeze the plot to nothing; a line under it says why.
        const bool legend = !wanted.isEmpty() && wanted.size() <= kMaxLegendEntries;
        m_completionChart->legend()->setVisible(legend);
        m_completionNote->setVisible(!legend && !wanted.isEmpty());
        if (wanted.size() > 0 && wanted.front() < 0)
            m_completionNote->setText(
                tr("%1 peers: the fastest, median and slowest completion, and the selected "
                   "peer's line.")
                    .arg(peers.size()));
        else
            m_completionNote->setText(tr("%1 peers, one line each: too many to name in a legend. The "
                                         "selected peer's line is thick; click a line to select its peer.")
                                          .arg(peers.size()));
    }

    // Fewer points per series when there are many series, so a refresh costs about the same either way.
    const int points = qBound(60, kMaxPoints * 4 / qMax(1, int(wanted.size())), kMaxPoints);
    const std::vector<const ChartHistory::Sample*> samples =
        shownHistory().window(m_windowSeconds, points, shownEndMs());
    const qint64 now = samples.empty() ? 0 : samples.back()->timeMs;
    std::vector<quint16> present;
    for (qsizetype i = 0; i < wanted.size(); ++i) {
        const int key = wanted[i];
        QList<QPointF> line;
        line.reserve(qsizetype(samples.size()));
        const int column = key > 0 ? shownHistory().columnOf(key) : -1;
        for (const ChartHistory::Sample* s : samples) {
            const double t = (s->timeMs - now) / 1000.0;
            if (key > 0) {
                if (column >= 0 && column < int(s->completion.size()) &&
                    s->completion[size_t(column)] != kAbsent)
                    line.append({t, s->completion[size_t(column)] / 100.0});
                continue;
            }
            present.clear();
            for (quint16 v : s->completion)
                if (v != kAbsent)
                    present.push_back(v);
            if (present.empty())
                continue;
            quint16 value = 0;
            if (key == kMin) {
                value = *std::min_element(present.begin(), present.end());
            } else if (key == kMax) {
                value = *std::max_element(present.begin(), present.end());
            } else {
                auto middle = present.begin() + qsizetype(present.size() / 2);
                std::nth_element(present.begin(), middle, present.end());
                value = *middle;
            }
            line.append({t, value / 100.0});
        }
        QLineSeries* series = m_completionSeries[i];
        QPen pen = series->pen();
        const qreal width = key == m_selectedPeer ? 3.0 : 1.5;
        if (pen.widthF() != width) {
            pen.setWidthF(width);
            series->setPen(pen);
        }
        series->replace(line);
    }
    applyTimeTicks(m_completionX, chooseTimeTicks(shownSpan(samples, m_windowSeconds)));
    m_completionMarkers->update(m_markers, now, shownSpan(samples, m_windowSeconds), 100);
}

int ChartsPanel::shownMarkerCount() const {
    return m_rateMarkers->shownCount();
}

QList<int> ChartsPanel::availabilityHistogram() const {
    const SwarmSnapshotPtr& snapshot = shown();
    if (!snapshot || snapshot->peers.isEmpty())
        return {};
    // The selected peer's torrent, else the first peer's.
    const LabPeerSnapshot* selected = m_selectedPeer > 0 ? snapshot->peer(m_selectedPeer) : nullptr;
    const int torrent = selected ? selected->torrent : snapshot->peers.front().torrent;
    return ui::availabilityHistogram(*snapshot, torrent);
}

void ChartsPanel::refreshAvailability() {
    const QList<int> histogram = availabilityHistogram();
    const int n = int(histogram.size());
    const int bins = qMin(n, kMaxBins);
    const int binWidth = bins > 0 ? (n + bins - 1) / bins : 1;
    QStringList categories;
    QList<qreal> values;
    for (int first = 0; first < n; first += binWidth) {
        const int last = qMin(n, first + binWidth) - 1;
        categories.append(first == last ? QString::number(first)
                                        : QString::number(first) + u'–' + QString::number(last));
        int sum = 0;
        for (int k = first; k <= last; ++k)
            sum += histogram[k];
        values.append(sum);
    }
    if (m_availabilityX->categories() != categories) {
        m_availabilityX->setCategories(categories);
        m_availabilitySet->remove(0, m_availabilitySet->count());
        m_availabilitySet->append(values);
    } else {
        for (qsizetype i = 0; i < values.size(); ++i)
            if (m_availabilitySet->at(i) != values[i])
                m_availabilitySet->replace(i, values[i]);
    }
    const qreal top = values.isEmpty() ? 1.0 : *std::max_element(values.cbegin(), values.cend());
    applyScale(m_availabilityY, niceScale(qMax(1.0, top), 5, true));
}

} // namespace swarmscope::ui
