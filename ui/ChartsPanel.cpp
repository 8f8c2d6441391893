#include "ChartsPanel.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QSplitter>
#include <QTextStream>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <bit>
#include <cmath>

namespace swarmscope::ui {

namespace {

constexpr int kRefreshMs = 250; // the charts follow the history four times a second
constexpr int kMaxPoints = 600; // per series on screen; more would not show at any chart width
constexpr int kMaxBins = 25;    // availability bars
constexpr quint16 kAbsent = ChartHistory::kAbsent;

QString chartName(ChartsPanel::Chart chart) {
    switch (chart) {
    case ChartsPanel::Chart::Rates:
        return QStringLiteral("rates");
    case ChartsPanel::Chart::Completion:
        return QStringLiteral("completion");
    case ChartsPanel::Chart::Availability:
        return QStringLiteral("availability");
    }
    return {};
}

// The unit that keeps the largest rate between 1 and 1024.
std::pair<double, QString> rateUnit(double maxRate) {
    if (maxRate >= 1024.0 * 1024.0 * 1024.0)
        return {1024.0 * 1024.0 * 1024.0, QStringLiteral("GiB/s")};
    if (maxRate >= 1024.0 * 1024.0)
        return {1024.0 * 1024.0, QStringLiteral("MiB/s")};
    if (maxRate >= 1024.0)
        return {1024.0, QStringLiteral("KiB/s")};
    return {1.0, QStringLiteral("B/s")};
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
    m_rateX = new QValueAxis;
    m_rateX->setTitleText(tr("lab time (s)"));
    // Whole seconds and few ticks: the docked charts are narrow, and longer labels are elided to "…".
    m_rateX->setLabelFormat(QStringLiteral("%.0f"));
    m_rateX->setTickCount(4);
    m_rateY = new QValueAxis;
    m_rateY->setTitleText(tr("KiB/s"));
    m_rateChart->addAxis(m_rateX, Qt::AlignBottom);
    m_rateChart->addAxis(m_rateY, Qt::AlignLeft);
    for (QLineSeries* s : {m_downSeries, m_upSeries}) {
        s->attachAxis(m_rateX);
        s->attachAxis(m_rateY);
    }
    m_rateChart->setTitle(tr("Swarm transfer rate"));

    m_completionChart = new QChart;
    m_completionX = new QValueAxis;
    m_completionX->setTitleText(tr("lab time (s)"));
    m_completionX->setLabelFormat(QStringLiteral("%.0f"));
    m_completionX->setTickCount(4);
    m_completionY = new QValueAxis;
    m_completionY->setRange(0, 100);
    m_completionY->setTitleText(tr("% complete"));
    m_completionChart->addAxis(m_completionX, Qt::AlignBottom);
    m_completionChart->addAxis(m_completionY, Qt::AlignLeft);
    m_completionChart->setTitle(tr("Completion per peer"));

    m_availabilityChart = new QChart;
    m_availabilitySeries = new QBarSeries;
    m_availabilitySet = new QBarSet(tr("pieces"));
    m_availabilitySeries->append(m_availabilitySet);
    m_availabilityChart->addSeries(m_availabilitySeries);
    m_availabilityX = new QBarCategoryAxis;
    m_availabilityX->setTitleText(tr("peers that have the piece"));
    m_availabilityY = new QValueAxis;
    m_availabilityY->setTitleText(tr("pieces"));
    m_availabilityY->setLabelFormat(QStringLiteral("%d"));
    m_availabilityChart->addAxis(m_availabilityX, Qt::AlignBottom);
    m_availabilityChart->addAxis(m_availabilityY, Qt::AlignLeft);
    m_availabilitySeries->attachAxis(m_availabilityX);
    m_availabilitySeries->attachAxis(m_availabilityY);
    m_availabilityChart->legend()->hide();
    m_availabilityChart->setTitle(tr("Piece availability"));

    m_rateView = makeView(m_rateChart, Chart::Rates);
    m_completionView = makeView(m_completionChart, Chart::Completion);
    m_availabilityView = makeView(m_availabilityChart, Chart::Availability);

    m_windowBox = new QComboBox(this);
    m_windowBox->addItem(tr("30 s"), 30);
    m_windowBox->addItem(tr("2 min"), 120);
    m_windowBox->addItem(tr("10 min"), 600);
    m_windowBox->addItem(tr("All"), 0);
    m_windowBox->setCurrentIndex(1);
    connect(m_windowBox, &QComboBox::currentIndexChanged, this,
            [this](int) { setTimeWindowSeconds(m_windowBox->currentData().toInt()); });

    auto* exportButton = new QToolButton(this);
    exportButton->setText(tr("Export"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    auto* exportMenu = new QMenu(exportButton);
    for (Chart chart : {Chart::Rates, Chart::Completion, Chart::Availability}) {
        const QString what = viewOf(chart)->chart()->title();
        exportMenu->addAction(tr("%1 as PNG…").arg(what), this,
                              [this, chart] { exportPngInteractively(chart); });
        exportMenu->addAction(tr("%1 as CSV…").arg(what), this,
                              [this, chart] { exportCsvInteractively(chart); });
    }
    exportButton->setMenu(exportMenu);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Time window:"), this));
    top->addWidget(m_windowBox);
    top->addStretch(1);
    top->addWidget(exportButton);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_rateView);
    splitter->addWidget(m_completionView);
    splitter->addWidget(m_availabilityView);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);

    m_refreshTimer.setInterval(kRefreshMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, [this] {
        if (m_dirty && isVisible())
            refreshNow();
    });
    m_refreshTimer.start();
    refreshNow();
}

ChartsPanel::~ChartsPanel() = default;

QChartView* ChartsPanel::makeView(QChart* chart, Chart which) {
    chart->setAnimationOptions(QChart::NoAnimation);
    // A flat background: the theme's rounded, shaded one is blended span by span on every repaint.
    chart->setBackgroundRoundness(0);
    chart->setBackgroundBrush(palette().color(QPalette::Base));
    chart->setBackgroundPen(Qt::NoPen);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignRight);
    auto* view = new QChartView(chart, this);
    view->setMinimumHeight(140);
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view, &QWidget::customContextMenuRequested, this, [this, view, which](const QPoint& pos) {
        QMenu menu;
        menu.addAction(tr("Save chart as PNG…"), this, [this, which] { exportPngInteractively(which); });
        menu.addAction(tr("Save data as CSV…"), this, [this, which] { exportCsvInteractively(which); });
        menu.exec(view->mapToGlobal(pos));
    });
    return view;
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

void ChartsPanel::setSnapshot(const SwarmSnapshotPtr& snapshot) {
    m_snapshot = snapshot;
    if (snapshot)
        m_history.add(*snapshot);
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

void ChartsPanel::refreshNow() {
    refreshRates();
    refreshCompletion();
    refreshAvailability();
    m_dirty = false;
}

void ChartsPanel::refreshRates() {
    const std::vector<const ChartHistory::Sample*> samples = m_history.window(m_windowSeconds, kMaxPoints);
    double maxRate = 1.0;
    for (const ChartHistory::Sample* s : samples)
        maxRate = std::max({maxRate, double(s->downloadRate), double(s->uploadRate)});
    const auto [divisor, unit] = rateUnit(maxRate);
    QList<QPointF> down;
    QList<QPointF> up;
    down.reserve(qsizetype(samples.size()));
    up.reserve(qsizetype(samples.size()));
    for (const ChartHistory::Sample* s : samples) {
        const double t = s->timeMs / 1000.0;
        down.append({t, s->downloadRate / divisor});
        up.append({t, s->uploadRate / divisor});
    }
    m_downSeries->replace(down);
    m_upSeries->replace(up);
    const double last = samples.empty() ? 0.0 : samples.back()->timeMs / 1000.0;
    const double first = m_windowSeconds > 0 ? last - m_windowSeconds
                                             : (samples.empty() ? 0.0 : samples.front()->timeMs / 1000.0);
    m_rateX->setRange(first, qMax(first + 1.0, last));
    m_rateY->setRange(0, maxRate / divisor * 1.1);
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
    const QList<LabPeerSnapshot>& peers = m_snapshot ? m_snapshot->peers : none;
    if (peers.size() <= kMaxPeerSeries) {
        for (const LabPeerSnapshot& p : peers)
            wanted.append(p.id);
    } else {
        wanted = {kMax, kMedian, kMin};
        if (m_selectedPeer > 0 && m_snapshot->peer(m_selectedPeer))
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
        m_completionChart->legend()->setVisible(wanted.size() <= 12);
    }

    // Fewer points per series when there are many series, so a refresh costs about the same either way.
    const int points = qBound(60, kMaxPoints * 4 / qMax(1, int(wanted.size())), kMaxPoints);
    const std::vector<const ChartHistory::Sample*> samples = m_history.window(m_windowSeconds, points);
    std::vector<quint16> present;
    for (qsizetype i = 0; i < wanted.size(); ++i) {
        const int key = wanted[i];
        QList<QPointF> line;
        line.reserve(qsizetype(samples.size()));
        const int column = key > 0 ? m_history.columnOf(key) : -1;
        for (const ChartHistory::Sample* s : samples) {
            const double t = s->timeMs / 1000.0;
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
    const double last = samples.empty() ? 0.0 : samples.back()->timeMs / 1000.0;
    const double first = m_windowSeconds > 0 ? last - m_windowSeconds
                                             : (samples.empty() ? 0.0 : samples.front()->timeMs / 1000.0);
    m_completionX->setRange(first, qMax(first + 1.0, last));
}

QList<int> ChartsPanel::availabilityHistogram() const {
    if (!m_snapshot || m_snapshot->peers.isEmpty())
        return {};
    // The selected peer's torrent, else the first peer's.
    const LabPeerSnapshot* selected = m_selectedPeer > 0 ? m_snapshot->peer(m_selectedPeer) : nullptr;
    const int torrent = selected ? selected->torrent : m_snapshot->peers.front().torrent;
    int pieces = 0;
    int peers = 0;
    for (const LabPeerSnapshot& p : m_snapshot->peers) {
        if (p.torrent == torrent) {
            pieces = qMax(pieces, p.have.size());
            ++peers;
        }
    }
    std::vector<int> counts(size_t(pieces), 0);
    for (const LabPeerSnapshot& p : m_snapshot->peers) {
        if (p.torrent != torrent || p.have.size() != pieces)
            continue;
        // Byte by byte, set bits only: a mostly empty or mostly full bitfield costs little either way.
        const QByteArray& bytes = p.have.toWire();
        for (qsizetype i = 0; i < bytes.size(); ++i) {
            unsigned byte = uchar(bytes[i]);
            while (byte != 0) {
                const int bit = 7 - (std::countr_zero(byte));
                ++counts[size_t(i * 8 + bit)];
                byte &= byte - 1;
            }
        }
    }
    QList<int> histogram(peers + 1, 0);
    for (int c : counts)
        ++histogram[qMin(c, peers)];
    return histogram;
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
    m_availabilityY->setRange(0, qMax(1.0, top * 1.1));
}

bool ChartsPanel::exportPng(Chart chart, const QString& path) {
    refreshNow();
    QChartView* view = viewOf(chart);
    if (!view)
        return false;
    // A panel that was never shown has no size yet; render at a sensible one rather than a sliver.
    if (!view->isVisible() && view->width() < 200)
        view->resize(720, 360);
    const QPixmap pixmap = view->grab();
    return !pixmap.isNull() && pixmap.save(path, "PNG");
}

bool ChartsPanel::exportCsv(Chart chart, const QString& path) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return false;
    QTextStream out(&file);
    switch (chart) {
    case Chart::Rates:
        m_history.writeRatesCsv(out, m_windowSeconds);
        break;
    case Chart::Completion:
        m_history.writeCompletionCsv(out, m_windowSeconds);
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
        this, tr("Save chart"), QStringLiteral("swarmscope-%1.png").arg(chartName(chart)),
        tr("PNG images (*.png)"));
    if (!path.isEmpty() && !exportPng(chart, path))
        QMessageBox::warning(this, tr("Save chart"), tr("Could not write %1").arg(path));
}

void ChartsPanel::exportCsvInteractively(Chart chart) {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save chart data"), QStringLiteral("swarmscope-%1.csv").arg(chartName(chart)),
        tr("CSV files (*.csv)"));
    if (!path.isEmpty() && !exportCsv(chart, path))
        QMessageBox::warning(this, tr("Save chart data"), tr("Could not write %1").arg(path));
}

} // namespace swarmscope::ui
