#include "window/PeerActions.h"

#include "dialogs/PeerConditionsDialog.h"
#include "shared/LabController.h"

#include "swarm/SwarmLab.h"

#include <QAction>
#include <QContextMenuEvent>
#include <QDesktopServices>
#include <QDir>
#include <QIcon>
#include <QMenu>
#include <QUrl>
#include <QWidget>

namespace swarmscope::ui {

PeerActions::PeerActions(LabController* controller, QWidget* window)
    : QObject(window), m_controller(controller), m_window(window) {
    m_pauseResume =
        new QAction(QIcon::fromTheme(QStringLiteral("media-playback-pause")), tr("&Pause Peer"), this);
    m_pauseResume->setShortcut(Qt::Key_Space);
    m_pauseResume->setToolTip(tr("Pause the selected peer: it keeps its connections but chokes everyone and "
                                 "requests nothing (Space). Again to resume."));
    connect(m_pauseResume, &QAction::triggered, this, &PeerActions::togglePause);

    m_kill = new QAction(QIcon::fromTheme(QStringLiteral("process-stop")), tr("&Kill Peer"), this);
    m_kill->setShortcut(Qt::CTRL | Qt::Key_K);
    m_kill->setToolTip(tr("Drop the selected peer abruptly, as a crash would: sockets cut, no goodbye to "
                          "the tracker; its data stays (Ctrl+K)."));
    connect(m_kill, &QAction::triggered, this, &PeerActions::kill);

    m_restart = new QAction(QIcon::fromTheme(QStringLiteral("view-refresh")), tr("&Restart Peer"), this);
    m_restart->setShortcut(Qt::CTRL | Qt::Key_R);
    m_restart->setToolTip(tr("Start the selected peer again with the same identity and data (Ctrl+R)."));
    connect(m_restart, &QAction::triggered, this, &PeerActions::restart);

    m_conditions =
        new QAction(QIcon::fromTheme(QStringLiteral("network-wired")), tr("&Latency and Caps…"), this);
    m_conditions->setShortcut(Qt::CTRL | Qt::Key_L);
    m_conditions->setToolTip(tr("Latency, jitter and caps of the selected peer alone (Ctrl+L)."));
    connect(m_conditions, &QAction::triggered, this, &PeerActions::editConditions);

    m_openFolder =
        new QAction(QIcon::fromTheme(QStringLiteral("folder-open")), tr("Open Peer's &Folder"), this);
    m_openFolder->setToolTip(tr("Show the folder the selected peer reads or writes its data in."));
    connect(m_openFolder, &QAction::triggered, this, &PeerActions::openFolder);

    m_remove = new QAction(QIcon::fromTheme(QStringLiteral("list-remove")), tr("Re&move Peer"), this);
    m_remove->setShortcut(QKeySequence::Delete);
    m_remove->setToolTip(tr("Stop the selected peer politely (it tells the tracker) and forget it; a "
                            "leecher's downloaded copy is deleted (Del)."));
    connect(m_remove, &QAction::triggered, this, &PeerActions::remove);

    // Short words where the toolbar shows them beside the selected peer's number; menus keep the full text.
    m_pauseResume->setIconText(tr("Pause"));
    m_kill->setIconText(tr("Kill"));
    m_restart->setIconText(tr("Restart"));
    m_conditions->setIconText(tr("Latency && Caps…"));
    m_openFolder->setIconText(tr("Folder"));
    m_remove->setIconText(tr("Remove"));
    for (QAction* action : actions())
        action->setShortcutContext(Qt::WindowShortcut);
    // Space also presses a focused button or ticks a focused check box, so it pauses only where peers are
    // shown: the window adds this action to those views (addShortcutTarget()).
    m_pauseResume->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    updateActions();
}

QList<QAction*> PeerActions::actions() const {
    return {m_pauseResume, m_kill, m_restart, m_conditions, m_openFolder, m_remove};
}

void PeerActions::setSelectedPeer(int peerId) {
    if (peerId == m_peer)
        return;
    m_peer = peerId;
    updateActions();
}

void PeerActions::setSnapshot(const SwarmSnapshotPtr& snapshot) {
    m_snapshot = snapshot;
    updateActions();
}

const LabPeerSnapshot* PeerActions::peerSnapshot() const {
    return m_snapshot && m_peer ? m_snapshot->peer(m_peer) : nullptr;
}

void PeerActions::updateActions() {
    const LabPeerSnapshot* peer = peerSnapshot();
    const bool paused = peer && peer->state == LabPeerState::Paused;
    const bool stopped = peer && (peer->state == LabPeerState::Stopped || peer->state == LabPeerState::Error);
    const QString pauseText = paused ? tr("Resume &Peer") : tr("&Pause Peer");
    if (m_pauseResume->text() != pauseText) {
        m_pauseResume->setText(pauseText);
        m_pauseResume->setIconText(paused ? tr("Resume") : tr("Pause"));
        m_pauseResume->setIcon(QIcon::fromTheme(paused ? QStringLiteral("media-playback-start")
                                                       : QStringLiteral("media-playback-pause")));
    }
    const bool any = peer != nullptr;
    m_pauseResume->setEnabled(any && !stopped);
    m_kill->setEnabled(any && !stopped);
    m_restart->setEnabled(any);
    m_conditions->setEnabled(any);
    m_openFolder->setEnabled(any && !peer->dataDir.isEmpty());
    m_remove->setEnabled(any);
}

void PeerActions::togglePause() {
    const LabPeerSnapshot* peer = peerSnapshot();
    if (!peer)
        return;
    if (peer->state == LabPeerState::Paused) {
        m_controller->lab()->resumePeer(m_peer);
        emit statusMessage(tr("Peer #%1 resumed.").arg(m_peer));
    } else {
        m_controller->lab()->pausePeer(m_peer);
        emit statusMessage(tr("Peer #%1 paused.").arg(m_peer));
    }
}

void PeerActions::kill() {
    if (!peerSnapshot())
        return;
    m_controller->lab()->killPeer(m_peer);
    emit statusMessage(tr("Peer #%1 killed; Restart brings it back.").arg(m_peer));
}

void PeerActions::restart() {
    if (!peerSnapshot())
        return;
    m_controller->lab()->restartPeer(m_peer);
    emit statusMessage(tr("Peer #%1 restarting.").arg(m_peer));
}

void PeerActions::editConditions() {
    const LabPeerSnapshot* peer = peerSnapshot();
    if (!peer)
        return;
    const int id = m_peer;
    PeerConditionsDialog dialog(id, peer->conditions, m_window);
    if (dialog.exec() == QDialog::Accepted) {
        m_controller->lab()->setConditions(id, dialog.conditions());
        emit statusMessage(tr("Peer #%1's link changed.").arg(id));
    }
}

void PeerActions::openFolder() {
    if (const LabPeerSnapshot* peer = peerSnapshot())
        QDesktopServices::openUrl(QUrl::fromLocalFile(peer->dataDir));
}

void PeerActions::remove() {
    if (!peerSnapshot())
        return;
    m_controller->lab()->removePeer(m_peer, true);
    emit statusMessage(tr("Peer #%1 removed.").arg(m_peer));
    emit peerChosen(0);
}

void PeerActions::addShortcutTarget(QWidget* view) {
    view->addAction(m_pauseResume);
    if (view->focusPolicy() == Qt::NoFocus)
        view->setFocusPolicy(Qt::ClickFocus);
}

void PeerActions::attachContextMenu(QWidget* target, std::function<int(const QPoint&)> peerAt) {
    m_targets.insert(target, std::move(peerAt));
    target->installEventFilter(this);
    connect(target, &QObject::destroyed, this, [this, target]() { m_targets.remove(target); });
}

bool PeerActions::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() != QEvent::ContextMenu)
        return QObject::eventFilter(watched, event);
    const auto it = m_targets.constFind(watched);
    if (it == m_targets.cend())
        return false;
    auto* menuEvent = static_cast<QContextMenuEvent*>(event);
    const int peer = (*it)(menuEvent->pos());
    if (peer == 0)
        return false;
    emit peerChosen(peer); // the window selects it everywhere, which comes back through setSelectedPeer()
    QMenu menu(m_window);
    menu.addSection(tr("Peer #%1").arg(peer));
    menu.addActions(actions());
    menu.exec(menuEvent->globalPos());
    return true;
}

} // namespace swarmscope::ui
