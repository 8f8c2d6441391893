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
constexpr int kAutomaticPosition = 13; // one step left of 16 KiB
constexpr int kMinExponent = 14;
constexpr int kMaxExponent = 24;
constexpr int kMaxLatencyMs = 1000;
} // namespace

ControlPanel::ControlPanel(LabController* controller, QWidget* parent)
    : QWidget(parent), m_controller(controller) {
    // --- the next torrent
    m_pieceSlider = new QSlider(Qt::Horizontal, this);
    m_pieceSlider->setObjectName(QStringLiteral("pieceSizeSlider"));
    m_pieceSlider->setRange(kAutomaticPosition, kMaxExponent);
    m_pieceSlider->setPageStep(1);
    m_pieceSlider->setTickPosition(QSlider::TicksBelow);
    m_pieceSlider->setValue(kAutomaticPosition);
    m_pieceSlider->setToolTip(tr("Piece size of the next torrent you create, or of the next demo: powers "
                                 "of two from 16 KiB to 16 MiB; leftmost lets the size of the file decide. "
                                 "Smaller pieces spread sooner but cost more hashes and messages."));
    m_pieceLabel = new QLabel(this);
    m_pieceLabel->setMinimumWidth(m_pieceLabel->fontMetrics().horizontalAdvance(tr("automatic")) + 8);
    auto* pieceRow = new QHBoxLayout;
    pieceRow->addWidget(m_pieceSlider, 1);
    pieceRow->addWidget(m_pieceLabel);
    auto* nextBox = new QGroupBox(tr("Next torrent"), this);
    auto* nextForm = new QFormLayout(nextBox);
    nextForm->addRow(tr("Piece size:"), pieceRow);

    // --- the link, live
    m_selectedOnly = new QCheckBox(tr("Selected peer only"), this);
    m_selectedOnly->setObjectName(QStringLiteral("selectedPeerOnly"));
    m_selectedOnly->setToolTip(tr("Checked: the controls below act on the selected peer and show its "
                                  "values. Unchecked: they act on every peer, and on peers added later."));
    m_scopeLabel = new QLabel(this);
    m_scopeLabel->setObjectName(QStringLiteral("scopeLabel"));

    m_latency = new QSlider(Qt::Horizontal, this);
    m_latency->setObjectName(QStringLiteral("latencySlider"));
    m_latency->setRange(0, kMaxLatencyMs);
    m_latency->setSingleStep(10);
    m_latency->setPageStep(100);
    m_latency->setToolTip(tr("One-way delay added to every message in both directions, 0 to 1000 ms. "
                             "Deeper request pipelines hide it; watch the rates."));
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
    m_jitter->setToolTip(tr("Random variation of the delay, up to this much either way."));

    m_upload = new RateEdit(this);
    m_upload->setObjectName(QStringLiteral("uploadCap"));
    m_upload->setToolTip(tr("Upload cap per peer; 0 is unlimited."));
    m_download = new RateEdit(this);
    m_download->setObjectName(QStringLiteral("downloadCap"));
    m_download->setToolTip(tr("Download cap per peer; 0 is unlimited."));

    auto* linkBox = new QGroupBox(tr("Network (live)"), this);
    auto* linkForm = new QFormLayout(linkBox);
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
    m_picker->setToolTip(tr("Which piece a peer starts next. Rarest first keeps every piece available; "
                            "sequential makes every leecher want the same pieces at once."));
    m_choker = new QCheckBox(tr("Choker (tit-for-tat upload slots)"), this);
    m_choker->setObjectName(QStringLiteral("chokerCheck"));
    m_choker->setChecked(true);
    m_choker->setToolTip(tr("On: 4 upload slots for the best uploaders plus one optimistic unchoke. Off: "
                            "every interested peer is served."));
    auto* protocolBox = new QGroupBox(tr("Protocol (live)"), this);
    auto* protocolForm = new QFormLayout(protocolBox);
    protocolForm->addRow(tr("Piece picker:"), m_picker);
    protocolForm->addRow(m_choker);

    // --- where the peers' files go
    m_labFolder = new QLineEdit(this);
    m_labFolder->setObjectName(QStringLiteral("labFolder"));
    m_labFolder->setReadOnly(true);
    m_openLabFolder = new QToolButton(this);
    m_chooseLabFolder = new QToolButton(this);
    for (QToolButton* button : {m_openLabFolder, m_chooseLabFolder})
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto* folderButtons = new QHBoxLayout;
    folderButtons->addWidget(m_openLabFolder);
    folderButtons->addWidget(m_chooseLabFolder);
    folderButtons->addStretch(1);
    auto* folderBox = new QGroupBox(tr("Lab folder"), this);
    auto* folderLayout = new QVBoxLayout(folderBox);
    folderLayout->addWidget(m_labFolder);
    folderLayout->addLayout(folderButtons);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(nextBox);
    layout->addWidget(linkBox);
    layout->addWidget(protocolBox);
    layout->addWidget(folderBox);
    layout->addStretch(1);

    connect(m_pieceSlider, &QSlider::valueChanged, this, &ControlPanel::updatePieceLabel);
    connect(m_selectedOnly, &QCheckBox::toggled, this, &ControlPanel::showTargetValues);
    connect(m_latency, &QSlider::valueChanged, this, &ControlPanel::sendLatency);
    connect(m_jitter, &QSpinBox::valueChanged, this, &ControlPanel::sendLatency);
    connect(m_upload, &RateEdit::rateEdited, this,
            [this](qint64 rate) { m_controller->setUploadRate(targetPeer(), rate); });
    connect(m_download, &RateEdit::rateEdited, this,
            [this](qint64 rate) { m_controller->setDownloadRate(targetPeer(), rate); });
    connect(m_picker, &QComboBox::currentIndexChanged, this, [this]() {
        m_controller->setPickerStrategy(targetPeer(), PickerStrategy(m_picker->currentData().toInt()));
    });
    connect(m_choker, &QCheckBox::toggled, this,
            [this](bool on) { m_controller->setChokerEnabled(targetPeer(), on); });
    connect(m_controller, &LabController::newPeerSettingsChanged, this, &ControlPanel::showTargetValues);

    updatePieceLabel();
    showTargetValues();
}

int ControlPanel::pieceSizeExponent() const {
    return m_pieceSlider->value() < kMinExponent ? 0 : m_pieceSlider->value();
}

void ControlPanel::setPieceSizeExponent(int exponent) {
    m_pieceSlider->setValue(exponent == 0 ? kAutomaticPosition
                                          : qBound(kMinExponent, exponent, kMaxExponent));
}

void ControlPanel::updatePieceLabel() {
    const int exponent = pieceSizeExponent();
    m_pieceLabel->setText(exponent == 0 ? tr("automatic") : formatSize(qint64(1) << exponent));
}

void ControlPanel::setSelectedPeer(int peerId) {
    if (peerId == m_selectedPeer)
        return;
    m_selectedPeer = peerId;
    showTargetValues();
}

void ControlPanel::setSnapshot(const SwarmSnapshotPtr& snapshot) {
    const bool hadPeer = m_snapshot && m_selectedPeer && m_snapshot->peer(m_selectedPeer);
    m_snapshot = snapshot;
    // The selected peer's values arrive with the first snapshot that holds it.
    if (isSelectedPeerOnly() && !hadPeer && m_snapshot && m_snapshot->peer(m_selectedPeer))
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

int ControlPanel::targetPeer() const {
    return isSelectedPeerOnly() ? m_selectedPeer : 0;
}

void ControlPanel::showTargetValues() {
    PeerConditions conditions = m_controller->newPeerConditions();
    PickerStrategy strategy = m_controller->newPeerStrategy();
    bool choker = m_controller->newPeerChoker();
    const bool onePeer = isSelectedPeerOnly();
    const LabPeerSnapshot* peer = onePeer && m_snapshot ? m_snapshot->peer(m_selectedPeer) : nullptr;
    if (peer) {
        conditions = peer->conditions;
        strategy = peer->strategy;
        choker = peer->chokerEnabled;
    }
    if (!onePeer)
        m_scopeLabel->setText(tr("Acting on every peer."));
    else if (m_selectedPeer == 0)
        m_scopeLabel->setText(tr("<i>Select a peer to change it alone.</i>"));
    else
        m_scopeLabel->setText(tr("Acting on peer #%1 only.").arg(m_selectedPeer));
    const bool enabled = !onePeer || m_selectedPeer != 0;
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
    m_controller->setLatency(targetPeer(), m_latency->value(), m_jitter->value());
}

} // namespace swarmscope::ui
