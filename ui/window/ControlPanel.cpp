#include "window/ControlPanel.h"

#include "shared/LabController.h"
#include "shared/RateEdit.h"
#include "shared/SizeFormat.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace swarmscope::ui {

namespace {
constexpr int kMaxLatencyMs = 1000;

// Forms that spend no height on spacing beyond what the style asks: the panel must fit a 720-pixel screen
// without scrolling.
QFormLayout* compactForm(QWidget* parent) {
    auto* form = new QFormLayout(parent);
    form->setContentsMargins(6, 4, 6, 4);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    return form;
}
} // namespace

ControlPanel::ControlPanel(LabController* controller, QWidget* parent)
    : QWidget(parent), m_controller(controller) {
    // --- the shown torrent's piece size, read only
    m_torrentLine = new QLabel(this);
    m_torrentLine->setObjectName(QStringLiteral("torrentPieceSize"));
    m_torrentLine->setWordWrap(true);
    m_torrentLine->setToolTip(tr("A torrent's piece size is fixed when it is made: choose it in Create "
                                 "Torrent (Ctrl+N). Smaller pieces spread sooner but cost more hashes, HAVE "
                                 "messages and bitfield bytes."));

    // --- the link, live
    m_selectedOnly = new QCheckBox(tr("Selected peers only"), this);
    m_selectedOnly->setObjectName(QStringLiteral("selectedPeerOnly"));
    m_selectedOnly->setToolTip(tr("Checked: the controls below act on the selected peers and show the "
                                  "current one's values; watch the graph: only their arrows change. "
                                  "Unchecked: they act on every peer, and on peers added later."));
    m_scopeLabel = new QLabel(this);
    m_scopeLabel->setObjectName(QStringLiteral("scopeLabel"));
    m_scopeLabel->setWordWrap(true);
    m_scopeLabel->setForegroundRole(QPalette::PlaceholderText);

    m_latency = new QSlider(Qt::Horizontal, this);
    m_latency->setObjectName(QStringLiteral("latencySlider"));
    m_latency->setRange(0, kMaxLatencyMs);
    m_latency->setSingleStep(10);
    m_latency->setPageStep(100);
    m_latency->setToolTip(tr("One-way delay added to every message in both directions, 0 to 1000 ms. "
                             "Watch the inspector's RTT column grow, and the rates: a request pipeline "
                             "deep enough for latency × rate hides it, a shallow one does not."));
    m_latencyLabel = new QLabel(this);
    m_latencyLabel->setMinimumWidth(
        m_latencyLabel->fontMetrics().horizontalAdvance(QStringLiteral("1000 ms")) + 4);
    auto* latencyRow = new QHBoxLayout;
    latencyRow->addWidget(m_latency, 1);
    latencyRow->addWidget(m_latencyLabel);

    m_jitter = new QSpinBox(this);
    m_jitter->setObjectName(QStringLiteral("jitterSpin"));
    m_jitter->setRange(0, 500);
    m_jitter->setSingleStep(5);
    m_jitter->setSuffix(tr(" ms"));
    m_jitter->setKeyboardTracking(false);
    m_jitter->setToolTip(tr("Random variation of the delay, up to this much either way. Watch the RTT "
                            "column scatter; the rates barely change."));

    m_upload = new RateEdit(this);
    m_upload->setObjectName(QStringLiteral("uploadCap"));
    m_upload->setToolTip(tr("Upload cap of each peer; unlimited at 0. Watch the graph's arrows out of "
                            "the capped peers thin, and the Kumar–Ross bound (Help) grow: uploads are what "
                            "a swarm shares."));
    m_download = new RateEdit(this);
    m_download->setObjectName(QStringLiteral("downloadCap"));
    m_download->setToolTip(tr("Download cap of each peer; unlimited at 0. Watch the capped peers' rows "
                              "in the piece map fill more slowly, however fast the others send."));

    auto* linkBox = new QGroupBox(tr("Network (live)"), this);
    auto* linkForm = compactForm(linkBox);
    linkForm->addRow(m_selectedOnly);
    linkForm->addRow(m_scopeLabel);
    linkForm->addRow(tr("Latency:"), latencyRow);
    linkForm->addRow(tr("Jitter:"), m_jitter);
    linkForm->addRow(tr("Upload cap:"), m_upload);
    linkForm->addRow(tr("Download cap:"), m_download);

    // --- the protocol, live
    m_picker = new QComboBox(this);
    m_picker->setObjectName(QStringLiteral("pickerBox"));
    m_picker->addItem(tr("Rarest first"), int(PickerStrategy::RarestFirst));
    m_picker->addItem(tr("Random"), int(PickerStrategy::Random));
    m_picker->addItem(tr("Sequential"), int(PickerStrategy::Sequential));
    m_picker->setToolTip(tr("Which piece a peer asks for next. Rarest first keeps every piece available: "
                            "watch the availability chart's low bars stay empty. Sequential makes every "
                            "leecher want the same pieces at once: watch the piece map fill left to right "
                            "and the seeder become the bottleneck."));
    m_choker = new QCheckBox(tr("Choker (tit-for-tat upload slots)"), this);
    m_choker->setObjectName(QStringLiteral("chokerCheck"));
    m_choker->setChecked(true);
    m_choker->setToolTip(tr("On: each peer uploads to the 4 peers that send it most, plus one optimistic "
                            "unchoke that rotates every 30 s; watch the event log's \"unchoked (regular)\" "
                            "and \"(optimistic)\". Off: every interested peer is served, and free riders "
                            "prosper."));
    auto* protocolBox = new QGroupBox(tr("Protocol (live)"), this);
    auto* protocolForm = compactForm(protocolBox);
    protocolForm->addRow(tr("Picker:"), m_picker);
    protocolForm->addRow(m_choker);

    // --- where the peers' files go
    m_labFolder = new QLineEdit(this);
    m_labFolder->setObjectName(QStringLiteral("labFolder"));
    m_labFolder->setReadOnly(true);
    m_openLabFolder = new QToolButton(this);
    m_chooseLabFolder = new QToolButton(this);
    for (QToolButton* button : {m_openLabFolder, m_chooseLabFolder})
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto* folderBox = new QGroupBox(tr("Lab folder"), this);
    auto* folderLayout = new QHBoxLayout(folderBox);
    folderLayout->setContentsMargins(6, 4, 6, 4);
    folderLayout->addWidget(m_labFolder, 1);
    folderLayout->addWidget(m_openLabFolder);
    folderLayout->addWidget(m_chooseLabFolder);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(m_torrentLine);
    layout->addWidget(linkBox);
    layout->addWidget(protocolBox);
    layout->addWidget(folderBox);
    layout->addStretch(1);

    connect(m_selectedOnly, &QCheckBox::toggled, this, &ControlPanel::showTargetValues);
    connect(m_latency, &QSlider::valueChanged, this, &ControlPanel::sendLatency);
    connect(m_jitter, &QSpinBox::valueChanged, this, &ControlPanel::sendLatency);
    connect(m_upload, &RateEdit::rateEdited, this, [this](qint64 rate) {
        for (int peer : targetPeers())
            m_controller->setUploadRate(peer, rate);
    });
    connect(m_download, &RateEdit::rateEdited, this, [this](qint64 rate) {
        for (int peer : targetPeers())
            m_controller->setDownloadRate(peer, rate);
    });
    connect(m_picker, &QComboBox::currentIndexChanged, this, [this]() {
        for (int peer : targetPeers())
            m_controller->setPickerStrategy(peer, PickerStrategy(m_picker->currentData().toInt()));
    });
    connect(m_choker, &QCheckBox::toggled, this, [this](bool on) {
        for (int peer : targetPeers())
            m_controller->setChokerEnabled(peer, on);
    });
    connect(m_controller, &LabController::newPeerSettingsChanged, this, &ControlPanel::showTargetValues);

    setTorrent(QString(), 0, 0);
    showTargetValues();
}

void ControlPanel::setTorrent(const QString& name, int pieceCount, qint64 pieceLength) {
    m_torrentLine->setText(name.isEmpty()
                               ? tr("<i>No torrent yet: Create Torrent chooses the piece size.</i>")
                               : tr("<b>%1</b>: %n piece(s) of %2", nullptr, pieceCount)
                                     .arg(name.toHtmlEscaped(), formatSize(pieceLength)));
}

QString ControlPanel::torrentLineShown() const {
    return m_torrentLine->text();
}

void ControlPanel::setSelectedPeers(const QList<int>& peers, int current) {
    if (peers == m_selectedPeers && current == m_currentPeer)
        return;
    m_selectedPeers = peers;
    m_currentPeer = current;
    showTargetValues();
}

void ControlPanel::setSnapshot(const SwarmSnapshotPtr& snapshot) {
    const bool hadPeer = m_snapshot && m_currentPeer && m_snapshot->peer(m_currentPeer);
    m_snapshot = snapshot;
    // The selected peer's values arrive with the first snapshot that holds it.
    if (isSelectedPeerOnly() && !hadPeer && m_snapshot && m_snapshot->peer(m_currentPeer))
        showTargetValues();
}

bool ControlPanel::isSelectedPeerOnly() const {
    return m_selectedOnly->isChecked();
}

void ControlPanel::setSelectedPeerOnly(bool only) {
    m_selectedOnly->setChecked(only);
}

void ControlPanel::setLatencyMs(int ms) {
    m_latency->setValue(ms);
}

void ControlPanel::setLabFolderActions(QAction* open, QAction* choose) {
    m_openLabFolder->setDefaultAction(open);
    m_chooseLabFolder->setDefaultAction(choose);
    // Short words on the buttons; the actions keep their menu texts.
    m_openLabFolder->setText(tr("Open"));
    m_chooseLabFolder->setText(tr("Change…"));
    connect(open, &QAction::changed, this, [this]() { m_openLabFolder->setText(tr("Open")); });
    connect(choose, &QAction::changed, this, [this]() { m_chooseLabFolder->setText(tr("Change…")); });
}

void ControlPanel::setLabFolder(const QString& runFolder, const QString& parentFolder) {
    m_labFolder->setText(runFolder);
    // The end tells runs apart; the start is the same for all of them.
    m_labFolder->setCursorPosition(int(runFolder.size()));
    m_labFolder->setToolTip(tr("This run's peers keep their files in\n%1\n\nEvery run gets a folder of its "
                               "own in %2.")
                                .arg(runFolder, parentFolder));
}

QString ControlPanel::labFolderShown() const {
    return m_labFolder->text();
}

QList<int> ControlPanel::targetPeers() const {
    if (!isSelectedPeerOnly())
        return {0};
    return m_selectedPeers;
}

void ControlPanel::showTargetValues() {
    PeerConditions conditions = m_controller->newPeerConditions();
    PickerStrategy strategy = m_controller->newPeerStrategy();
    bool choker = m_controller->newPeerChoker();
    const bool onePeer = isSelectedPeerOnly();
    const LabPeerSnapshot* peer = onePeer && m_snapshot ? m_snapshot->peer(m_currentPeer) : nullptr;
    if (peer) {
        conditions = peer->conditions;
        strategy = peer->strategy;
        choker = peer->chokerEnabled;
    }
    if (!onePeer)
        m_scopeLabel->setText(tr("Acting on every peer."));
    else if (m_selectedPeers.isEmpty())
        m_scopeLabel->setText(tr("<i>Select peers to change them alone.</i>"));
    else if (m_selectedPeers.size() == 1)
        m_scopeLabel->setText(tr("Acting on peer #%1 only.").arg(m_selectedPeers.first()));
    else
        m_scopeLabel->setText(tr("Acting on %1 selected peers; showing #%2's values.")
                                  .arg(m_selectedPeers.size())
                                  .arg(m_currentPeer));
    const bool enabled = !onePeer || !m_selectedPeers.isEmpty();
    for (QWidget* w : {static_cast<QWidget*>(m_latency), static_cast<QWidget*>(m_jitter),
                       static_cast<QWidget*>(m_upload), static_cast<QWidget*>(m_download),
                       static_cast<QWidget*>(m_picker), static_cast<QWidget*>(m_choker)})
        w->setEnabled(enabled);

    const QSignalBlocker b1(m_latency);
    const QSignalBlocker b2(m_jitter);
    const QSignalBlocker b3(m_picker);
    const QSignalBlocker b4(m_choker);
    m_latency->setValue(int(qMin<qint64>(conditions.latencyMs, kMaxLatencyMs)));
    m_latencyLabel->setText(tr("%1 ms").arg(m_latency->value()));
    m_jitter->setValue(int(conditions.jitterMs));
    m_upload->setBytesPerSecond(conditions.uploadRate);
    m_download->setBytesPerSecond(conditions.downloadRate);
    m_picker->setCurrentIndex(qMax(0, m_picker->findData(int(strategy))));
    m_choker->setChecked(choker);
}

void ControlPanel::sendLatency() {
    m_latencyLabel->setText(tr("%1 ms").arg(m_latency->value()));
    for (int peer : targetPeers())
        m_controller->setLatency(peer, m_latency->value(), m_jitter->value());
}

} // namespace swarmscope::ui
