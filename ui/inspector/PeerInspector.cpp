#include "inspector/PeerInspector.h"

#include "inspector/ConnectionTableModel.h"
#include "inspector/EventLogFilterModel.h"
#include "inspector/EventLogModel.h"
#include "shared/PeerListModel.h"
#include "shared/SizeFormat.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QResizeEvent>
#include <QScrollBar>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

namespace swarmscope::ui {

namespace {

QTableView* makeTable(QWidget* parent) {
    auto* view = new QTableView(parent);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    // Fixed row heights let the view skip measuring rows: it stays cheap with 20,000 log lines.
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 4);
    view->horizontalHeader()->setHighlightSections(false);
    // No grid and no frame: both are tall lines that Qt's raster engine hands to its thread pool on every
    // repaint; alternating row colours separate the rows as well.
    view->setShowGrid(false);
    view->setFrameShape(QFrame::NoFrame);
    return view;
}

constexpr PeerEventKind kKinds[] = {
    PeerEventKind::Connected,  PeerEventKind::Disconnected,  PeerEventKind::Choked,
    PeerEventKind::Unchoked,   PeerEventKind::PeerChoked,    PeerEventKind::PeerUnchoked,
    PeerEventKind::Have,       PeerEventKind::PieceVerified, PeerEventKind::HashFailed,
    PeerEventKind::PeerBanned, PeerEventKind::Completed,     PeerEventKind::Error,
};

} // namespace

PeerInspector::PeerInspector(QWidget* parent) : QWidget(parent) {
    m_connections = new ConnectionTableModel(this);
    m_log = new EventLogModel(this);
    m_filter = new EventLogFilterModel(this);
    m_filter->setSourceModel(m_log);

    m_summary = new QLabel(tr("No peer selected"), this);
    m_summary->setObjectName(QStringLiteral("inspectorSummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long line must not widen the dock: it is cut at the edge, and the tooltip has all of it.
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_connectionView = makeTable(this);
    m_connectionView->setModel(m_connections);
    m_connectionView->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_connectionView->horizontalHeader()->setStretchLastSection(false);
    m_connectionView->horizontalHeader()->setDefaultAlignment(Qt::AlignCenter);
    m_connectionView->setTextElideMode(Qt::ElideMiddle);

    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Filter…"));
    m_search->setClearButtonEnabled(true);
    m_search->setToolTip(tr("Show only the events whose text contains this, e.g. \"#5\" or \"piece 12\""));
    m_search->setMinimumWidth(m_search->fontMetrics().horizontalAdvance(QStringLiteral("Filter…")) + 40);
    m_kindBox = new QComboBox(this);
    m_kindBox->addItem(tr("All events"), -1);
    for (PeerEventKind kind : kKinds)
        m_kindBox->addItem(peerEventKindName(kind), int(kind));
    m_kindBox->setToolTip(tr("Show one kind of event only: \"unchoked\" shows the choker at work, \"have\" "
                             "the pieces spreading"));
    m_kindBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_kindBox->setMinimumContentsLength(9);
    m_allPeers = new QCheckBox(tr("All peers"), this);
    m_allPeers->setToolTip(tr("Show the events of every peer of the shown torrent, not only the selected "
                              "peer's"));

    m_logView = makeTable(this);
    m_logView->setModel(m_filter);
    m_logView->horizontalHeader()->setStretchLastSection(true);
    m_logView->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // the sentence stretches instead
    m_logView->setTextElideMode(Qt::ElideRight);
    // A sentence says who did what to whom; the parts stay in the model for the filters.
    for (int column :
         {int(EventLogModel::PeerColumn), int(EventLogModel::KindColumn), int(EventLogModel::RemoteColumn),
          int(EventLogModel::PieceColumn), int(EventLogModel::ReasonColumn)})
        m_logView->setColumnHidden(column, true);
    fitColumns();
    // Who dialled is in the remote's tooltip; the column would cost the flags their room.
    m_connectionView->setColumnHidden(ConnectionTableModel::DirectionColumn, true);

    m_filterRow = new QWidget(this);
    m_filterLayout = new QGridLayout(m_filterRow);
    m_filterLayout->setContentsMargins(0, 0, 0, 0);
    arrangeFilters(false);
    auto* logPane = new QWidget(this);
    auto* logLayout = new QVBoxLayout(logPane);
    logLayout->setContentsMargins(0, 0, 0, 0);
    logLayout->addWidget(m_filterRow);
    logLayout->addWidget(m_logView, 1);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_connectionView);
    splitter->addWidget(logPane);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    m_splitter = splitter;

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    layout->addWidget(splitter, 1);

    connect(m_search, &QLineEdit::textChanged, m_filter, &EventLogFilterModel::setText);
    connect(m_kindBox, &QComboBox::currentIndexChanged, this, [this](int) {
        const int kind = m_kindBox->currentData().toInt();
        m_filter->setKind(kind < 0 ? std::nullopt : std::optional<PeerEventKind>(PeerEventKind(kind)));
    });
    connect(m_allPeers, &QCheckBox::toggled, this,
            [this](bool all) { m_filter->setPeer(all ? 0 : m_selectedPeer); });
    connect(m_connectionView, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        const int remote = m_connections->remotePeerAt(index.row());
        if (remote > 0)
            emit peerSelected(remote);
    });
    connect(m_logView, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        // The other peer of the sentence, or the reporting one when it names nobody else.
        const int remote = index.data(EventLogModel::RemotePeerRole).toInt();
        const int peer =
            remote > 0 && remote != m_selectedPeer ? remote : index.data(EventLogModel::PeerRole).toInt();
        if (peer > 0)
            emit peerSelected(peer);
    });
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &PeerInspector::flush);
    setShowAllPeers(false);
}

PeerInspector::~PeerInspector() = default;

void PeerInspector::fitColumns() {
    // Widths from the widest text a column can hold, measured once: sizing to the rows on show would make
    // columns jump as the figures change.
    const QFontMetrics metrics = fontMetrics();
    const int padding = 2 * style()->pixelMetric(QStyle::PM_HeaderMargin, nullptr, this) + 4;
    auto fit = [&](QTableView* view, int column, const QString& widest) {
        const int header = view->horizontalHeader()->sectionSizeHint(column);
        view->setColumnWidth(column, qMax(header, metrics.horizontalAdvance(widest) + padding));
    };
    const QString rate = QStringLiteral("99.9 KiB/s");
    fit(m_connectionView, ConnectionTableModel::RemoteColumn, QStringLiteral("#9999"));
    fit(m_connectionView, ConnectionTableModel::DirectionColumn, QStringLiteral("out"));
    fit(m_connectionView, ConnectionTableModel::AmChokingColumn, QStringLiteral("no (opt.)"));
    fit(m_connectionView, ConnectionTableModel::AmInterestedColumn, QStringLiteral("yes"));
    fit(m_connectionView, ConnectionTableModel::PeerChokingColumn, QStringLiteral("yes"));
    fit(m_connectionView, ConnectionTableModel::PeerInterestedColumn, QStringLiteral("yes"));
    fit(m_connectionView, ConnectionTableModel::DownloadRateColumn, rate);
    fit(m_connectionView, ConnectionTableModel::UploadRateColumn, rate);
    fit(m_connectionView, ConnectionTableModel::RequestsOutColumn, QStringLiteral("999"));
    fit(m_connectionView, ConnectionTableModel::RequestsInColumn, QStringLiteral("999"));
    fit(m_connectionView, ConnectionTableModel::RttColumn, QStringLiteral("9999"));
    fit(m_logView, EventLogModel::TimeColumn, QStringLiteral("00:00.000"));
    for (QTableView* view : {m_connectionView, m_logView})
        view->verticalHeader()->setDefaultSectionSize(metrics.height() + 4);
}

void PeerInspector::arrangeFilters(bool twoLines) {
    m_filtersOnTwoLines = twoLines;
    for (QWidget* w : {static_cast<QWidget*>(m_search), static_cast<QWidget*>(m_kindBox),
                       static_cast<QWidget*>(m_allPeers)})
        m_filterLayout->removeWidget(w);
    if (twoLines) {
        m_filterLayout->addWidget(m_search, 0, 0, 1, 2);
        m_filterLayout->addWidget(m_kindBox, 1, 0);
        m_filterLayout->addWidget(m_allPeers, 1, 1);
        m_filterLayout->setColumnStretch(0, 1);
        m_filterLayout->setColumnStretch(2, 0);
    } else {
        m_filterLayout->addWidget(m_search, 0, 0);
        m_filterLayout->addWidget(m_kindBox, 0, 1);
        m_filterLayout->addWidget(m_allPeers, 0, 2);
        m_filterLayout->setColumnStretch(0, 1);
    }
    // The splitter asks the log pane for its minimum at once: the pane's layout must not answer from its
    // cache.
    m_filterLayout->invalidate();
    m_filterRow->updateGeometry();
    if (QLayout* pane = m_filterRow->parentWidget()->layout())
        pane->invalidate();
}

int PeerInspector::oneLineFilterWidth() const {
    // What the layout gives each at least: its minimum size where one is set, else its hint.
    auto least = [](const QWidget* w) { return w->minimumSize().expandedTo(w->minimumSizeHint()).width(); };
    const int spacing = qMax(0, m_filterLayout->horizontalSpacing());
    return least(m_search) + least(m_kindBox) + least(m_allPeers) + 2 * spacing;
}

int PeerInspector::connectionTableWidth() const {
    int width = 0;
    for (int column = 0; column < ConnectionTableModel::ColumnCount; ++column)
        if (!m_connectionView->isColumnHidden(column))
            width += m_connectionView->columnWidth(column);
    return width + m_connectionView->verticalScrollBar()->sizeHint().width() + 4;
}

void PeerInspector::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    shareWidth();
}

void PeerInspector::shareWidth() {
    // The connection table gets the width its columns need when there is room, and the log the rest.
    const int total = m_splitter->width() - m_splitter->handleWidth();
    if (total <= 0)
        return;
    const int table = qMin(connectionTableWidth(), qMax(total * 3 / 5, total - 270));
    // Where the log's filters do not fit on one line beside a table that shows every column (a 1280-pixel
    // screen), the text filter goes over the others: a line of log less, no column cut.
    const bool twoLines = total - table < oneLineFilterWidth();
    if (twoLines != m_filtersOnTwoLines)
        arrangeFilters(twoLines);
    m_splitter->setSizes({table, total - table});
}

void PeerInspector::setSnapshot(const SwarmSnapshotPtr& snapshot) {
    m_snapshot = snapshot;
    m_snapshotPending = true;
    // The line is cheap and sits beside the piece map: it reads the same snapshot, now, so the two never
    // disagree on a peer's share or rates. The tables follow at their own pace.
    updateSummary();
    scheduleFlush();
}

void PeerInspector::setTorrent(int torrent) {
    m_filter->setTorrent(torrent);
}

QString PeerInspector::summaryText() const {
    return m_summary->text();
}

void PeerInspector::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        fitColumns();
        shareWidth();
    }
}

void PeerInspector::setSelectedPeer(int peerId) {
    if (peerId == m_selectedPeer)
        return;
    m_selectedPeer = peerId;
    // A click must show the peer now, with the newest data, not at the next refresh.
    flush();
    m_connections->setPeer(peerId);
    if (!m_allPeers->isChecked())
        m_filter->setPeer(peerId);
    updateSummary();
}

void PeerInspector::appendEvents(const QList<SwarmEvent>& events) {
    if (events.isEmpty())
        return;
    m_pendingEvents.append(events);
    // What waits is bounded like the log: older events would be dropped on arrival anyway.
    const qsizetype excess = m_pendingEvents.size() - m_log->capacity();
    if (excess > 0)
        m_pendingEvents.remove(0, excess);
    scheduleFlush();
}

void PeerInspector::setRefreshIntervalMs(int ms) {
    m_refreshMs = qMax(0, ms);
    if (m_refreshMs == 0)
        flush();
}

void PeerInspector::scheduleFlush() {
    if (m_refreshMs == 0)
        flush();
    else if (!m_flushTimer.isActive())
        m_flushTimer.start(m_refreshMs);
}

void PeerInspector::flush() {
    m_flushTimer.stop();
    if (m_snapshotPending) {
        m_snapshotPending = false;
        m_connections->setSnapshot(m_snapshot);
    }
    if (!m_pendingEvents.isEmpty()) {
        // Follow the newest line only when the user is already at the bottom; otherwise keep their place.
        QScrollBar* bar = m_logView->verticalScrollBar();
        const bool atBottom = bar->value() >= bar->maximum() - 2;
        m_log->appendEvents(m_pendingEvents);
        m_pendingEvents.clear();
        if (atBottom)
            m_logView->scrollToBottom();
    }
}

void PeerInspector::setEventLogCapacity(int rows) {
    flush();
    m_log->setCapacity(rows);
}

void PeerInspector::setShowAllPeers(bool all) {
    m_allPeers->setChecked(all);
    m_filter->setPeer(all ? 0 : m_selectedPeer);
}

void PeerInspector::updateSummary() {
    m_summarySequence = m_snapshot ? m_snapshot->sequence : 0;
    const LabPeerSnapshot* peer =
        m_snapshot && m_selectedPeer > 0 ? m_snapshot->peer(m_selectedPeer) : nullptr;
    if (!peer) {
        m_summary->setText(m_selectedPeer > 0 ? tr("Peer #%1 is gone").arg(m_selectedPeer)
                                              : tr("No peer selected"));
        m_summary->setToolTip(QString());
        return;
    }
    const QString sep = QStringLiteral(" — ");
    const QString progress = QString::number(peer->progress() * 100.0, 'f', 1) + QStringLiteral(" %");
    QString text;
    if (peer->state == LabPeerState::Stopped) {
        // Killed, whatever share it had: it serves nobody and has no connections until it is restarted.
        text = PeerListModel::peerName(*peer) + sep + tr("killed: no connections until Restart") + sep +
               tr("%1 on its disk").arg(progress);
    } else {
        text = PeerListModel::peerName(*peer) + sep + labPeerStateName(peer->state) + sep + progress +
               QStringLiteral(" — ↓ ") + formatSize(peer->downloadRate) + QStringLiteral("/s ↑ ") +
               formatSize(peer->uploadRate) + QStringLiteral("/s") + sep +
               tr("%n connection(s)", nullptr, peer->connectionCount) + sep +
               pickerStrategyName(peer->strategy);
        if (peer->freeRider)
            text += sep + tr("free-riding: downloads, uploads nothing");
        if (peer->port != 0)
            text += QStringLiteral(" — ") + peer->address.toString() + u':' + QString::number(peer->port);
        if (peer->dhtNodes > 0 || peer->dhtLookupsDone > 0)
            text += sep + tr("DHT: %n node(s)", nullptr, peer->dhtNodes) + u", " +
                    tr("%n lookup(s)", nullptr, peer->dhtLookupsDone) + u", " +
                    tr("%n peer(s) found", nullptr, int(peer->dhtPeersFound));
    }
    if (peer->state == LabPeerState::Error && !peer->error.isEmpty())
        text += sep + peer->error;
    if (text != m_summary->text()) {
        m_summary->setText(text);
        m_summary->setToolTip(text);
    }
}

} // namespace swarmscope::ui
