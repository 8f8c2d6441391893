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
#include <QMessageBox>
#include <QUrl>
#include <QWidget>

namespace swarmscope::ui {

namespace {

bool isStopped(const LabPeerSnapshot* peer) {
    return peer->state == LabPeerState::Stopped || peer->state == LabPeerState::Error;
}

} // namespace

PeerActions::PeerActions(LabController* controller, PeerSelection* selection, QWidget* window)
    : QObject(window), m_controller(controller), m_selection(selection), m_window(window) {
    m_pauseResume =
        new QAction(QIcon::fromTheme(QStringLiteral("media-playback-pause")), tr("&Pause Peer"), this);
    m_pauseResume->setShortcut(Qt::Key_Space);
    m_pauseResume->setToolTip(
        tr("Pause the selected peers: they keep their connections but choke everyone "
           "and request nothing: watch their arrows vanish from the graph (Space). Again "
           "to resume."));
    connect(m_pauseResume, &QAction::triggered, this, &PeerActions::togglePause);

    m_kill = new QAction(QIcon::fromTheme(QStringLiteral("process-stop")), tr("&Kill Peer"), this);
    m_kill->setShortcut(Qt::CTRL | Qt::Key_K);
    m_kill->setToolTip(tr("Drop the selected peers abruptly, as a crash would: sockets cut, no goodbye to "
                          "the tracker; their data stays. Watch the availability chart: pieces only they "
                          "had become rarer (Ctrl+K)."));
    connect(m_kill, &QAction::triggered, this, &PeerActions::kill);

    m_restart = new QAction(QIcon::fromTheme(QStringLiteral("view-refresh")), tr("&Restart Peer"), this);
    m_restart->setShortcut(Qt::CTRL | Qt::Key_R);
    m_restart->setToolTip(tr("Start the selected peers again with the same identity and data, running (not "
                             "paused); each checks its pieces, then rejoins. Watch its row keep what it had "
                             "and fetch only the rest (Ctrl+R)."));
    connect(m_restart, &QAction::triggered, this, &PeerActions::restart);

    m_conditions =
        new QAction(QIcon::fromTheme(QStringLiteral("network-wired")), tr("&Latency and Caps…"), this);
    m_conditions->setShortcut(Qt::CTRL | Qt::Key_L);
    m_conditions->setToolTip(tr("Latency, jitter and caps of the selected peers alone. Watch their arrows in "
                                "the graph and their rows in the piece map slow down (Ctrl+L)."));
    connect(m_conditions, &QAction::triggered, this, &PeerActions::editConditions);

    m_freeRide = new QAction(QIcon::fromTheme(QStringLiteral("network-receive")), tr("&Free-Ride"), this);
    m_freeRide->setCheckable(true);
    m_freeRide->setToolTip(tr("Make the selected peers free-riders: they keep downloading but upload nothing "
                              "(they choke everyone). Watch their up rate stay at zero, and whether tit-for-"
                              "tat makes them wait longer than the others. Again to make them share."));
    connect(m_freeRide, &QAction::triggered, this, &PeerActions::toggleFreeRide);

    m_openFolder =
        new QAction(QIcon::fromTheme(QStringLiteral("folder-open")), tr("Open Peer's &Folder"), this);
    m_openFolder->setToolTip(tr("Show the folder the current peer reads or writes its data in."));
    connect(m_openFolder, &QAction::triggered, this, &PeerActions::openFolder);

    m_remove = new QAction(QIcon::fromTheme(QStringLiteral("list-remove")), tr("Re&move Peer"), this);
    m_remove->setShortcut(QKeySequence::Delete);
    m_remove->setToolTip(tr("Stop the selected peers politely (they tell the tracker) and forget them; a "
                            "leecher's downloaded copy is deleted. Watch the others' connections to them "
                            "close in the inspector (Del)."));
    connect(m_remove, &QAction::triggered, this, &PeerActions::remove);

    m_selectAll =
        new QAction(QIcon::fromTheme(QStringLiteral("edit-select-all")), tr("Select &All Peers"), this);
    m_selectAll->setShortcut(QKeySequence::SelectAll);
    m_selectAll->setToolTip(tr("Select every peer of the shown torrent, so the peer actions act on all of "
                               "them (Ctrl+A in the piece map or the graph)."));
    connect(m_selectAll, &QAction::triggered, this, &PeerActions::selectAll);

    // Short words where the toolbar shows them beside the selected peers' numbers; menus keep the full text.
    m_pauseResume->setIconText(tr("Pause"));
    m_kill->setIconText(tr("Kill"));
    m_restart->setIconText(tr("Restart"));
    m_conditions->setIconText(tr("Latency && Caps…"));
    m_freeRide->setIconText(tr("Free-Ride"));
    m_openFolder->setIconText(tr("Folder"));
    m_remove->setIconText(tr("Remove"));
    for (QAction* action : actions())
        action->setShortcutContext(Qt::WindowShortcut);
    // Space also presses a focused button or ticks a focused check box, and Ctrl+A selects a line edit's
    // text, so both act only where peers are shown: the window adds them to those views.
    m_pauseResume->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_selectAll->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_selection, &PeerSelection::changed, this, &PeerActions::updateActions);
    updateActions();
}

QList<QAction*> PeerActions::actions() const {
    return {m_pauseResume, m_kill, m_restart, m_conditions, m_freeRide, m_openFolder, m_remove};
}

void PeerActions::setSnapshot(const SwarmSnapshotPtr& snapshot) {
    m_snapshot = snapshot;
    updateActions();
}

QList<const LabPeerSnapshot*> PeerActions::selectedSnapshots() const {
    QList<const LabPeerSnapshot*> peers;
    if (!m_snapshot)
        return peers;
    for (int id : m_selection->peers())
        if (const LabPeerSnapshot* p = m_snapshot->peer(id))
            peers.append(p);
    return peers;
}

QString PeerActions::names(const QList<int>& peers) {
    QStringList parts;
    for (int peer : peers)
        parts.append(QStringLiteral("#%1").arg(peer));
    if (parts.size() > 6)
        return tr("%n peers", nullptr, int(parts.size()));
    return parts.join(QStringLiteral(", "));
}

void PeerActions::updateActions() {
    const QList<const LabPeerSnapshot*> peers = selectedSnapshots();
    const int n = int(peers.size());
    bool allPaused = n > 0;
    bool anyRunning = false;
    bool allFreeRiders = n > 0;
    for (const LabPeerSnapshot* p : peers) {
        allPaused = allPaused && p->state == LabPeerState::Paused;
        anyRunning = anyRunning || !isStopped(p);
        allFreeRiders = allFreeRiders && p->freeRider;
    }
    // The menu says how many peers an action reaches, so a multi-selection is never acted on by surprise.
    const QString pauseText = allPaused ? (n > 1 ? tr("Resume %1 &Peers").arg(n) : tr("Resume &Peer"))
                                        : (n > 1 ? tr("&Pause %1 Peers").arg(n) : tr("&Pause Peer"));
    if (m_pauseResume->text() != pauseText) {
        m_pauseResume->setText(pauseText);
        m_pauseResume->setIconText(allPaused ? tr("Resume") : tr("Pause"));
        m_pauseResume->setIcon(QIcon::fromTheme(allPaused ? QStringLiteral("media-playback-start")
                                                          : QStringLiteral("media-playback-pause")));
    }
    m_kill->setText(n > 1 ? tr("&Kill %1 Peers").arg(n) : tr("&Kill Peer"));
    m_restart->setText(n > 1 ? tr("&Restart %1 Peers").arg(n) : tr("&Restart Peer"));
    m_remove->setText(n > 1 ? tr("Re&move %1 Peers").arg(n) : tr("Re&move Peer"));
    m_pauseResume->setEnabled(anyRunning);
    m_kill->setEnabled(anyRunning);
    m_restart->setEnabled(n > 0);
    m_conditions->setEnabled(n > 0);
    m_freeRide->setText(n > 1 ? tr("&Free-Ride (%1 Peers)").arg(n) : tr("&Free-Ride"));
    m_freeRide->setChecked(allFreeRiders);
    m_freeRide->setEnabled(n > 0);
    const LabPeerSnapshot* current = m_snapshot ? m_snapshot->peer(m_selection->current()) : nullptr;
    m_openFolder->setEnabled(current && !current->dataDir.isEmpty());
    m_remove->setEnabled(n > 0);
    m_selectAll->setEnabled(m_snapshot && !m_snapshot->peers.isEmpty());
    if (m_readOnly)
        for (QAction* action : {m_pauseResume, m_kill, m_restart, m_conditions, m_openFolder, m_remove})
            action->setEnabled(false);
}

void PeerActions::setReadOnly(bool readOnly) {
    m_readOnly = readOnly;
    updateActions();
}

void PeerActions::togglePause() {
    const QList<const LabPeerSnapshot*> peers = selectedSnapshots();
    bool allPaused = !peers.isEmpty();
    for (const LabPeerSnapshot* p : peers)
        allPaused = allPaused && p->state == LabPeerState::Paused;
    QList<int> acted;
    for (const LabPeerSnapshot* p : peers) {
        if (isStopped(p))
            continue;
        if (allPaused)
            m_controller->lab()->resumePeer(p->id);
        else
            m_controller->lab()->pausePeer(p->id);
        acted.append(p->id);
    }
    if (!acted.isEmpty())
        emit statusMessage(allPaused ? tr("Resumed %1.").arg(names(acted))
                                     : tr("Paused %1.").arg(names(acted)));
}

void PeerActions::kill() {
    QList<int> acted;
    for (const LabPeerSnapshot* p : selectedSnapshots()) {
        if (isStopped(p))
            continue;
        m_controller->lab()->killPeer(p->id);
        acted.append(p->id);
    }
    if (!acted.isEmpty())
        emit statusMessage(tr("Killed %1; Restart brings them back.").arg(names(acted)));
}

void PeerActions::restart() {
    QList<int> acted;
    for (const LabPeerSnapshot* p : selectedSnapshots()) {
        // A restarted peer takes up its old pause state, so a peer paused before it was killed would come
        // back paused: someone who restarts a peer wants it running. The resume goes first: sent after the
        // restart, it reaches a session still checking its pieces, which ignores it and then starts paused.
        // Commands to one peer run in order.
        m_controller->lab()->resumePeer(p->id);
        m_controller->lab()->restartPeer(p->id);
        acted.append(p->id);
    }
    if (!acted.isEmpty())
        emit statusMessage(tr("Restarting %1.").arg(names(acted)));
}

void PeerActions::editConditions() {
    const QList<const LabPeerSnapshot*> peers = selectedSnapshots();
    if (peers.isEmpty())
        return;
    const LabPeerSnapshot* current = m_snapshot->peer(m_selection->current());
    QList<int> ids;
    for (const LabPeerSnapshot* p : peers)
        ids.append(p->id);
    PeerConditionsDialog dialog(ids, current ? current->conditions : peers.first()->conditions, m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    for (int id : ids)
        m_controller->lab()->setConditions(id, dialog.conditions());
    emit statusMessage(tr("Changed the link of %1.").arg(names(ids)));
}

void PeerActions::toggleFreeRide() {
    const QList<const LabPeerSnapshot*> peers = selectedSnapshots();
    if (peers.isEmpty())
        return;
    bool allFreeRiders = true;
    for (const LabPeerSnapshot* p : peers)
        allFreeRiders = allFreeRiders && p->freeRider;
    QList<int> ids;
    for (const LabPeerSnapshot* p : peers) {
        m_controller->lab()->setFreeRider(p->id, !allFreeRiders);
        ids.append(p->id);
    }
    // The snapshot says so only at the next tick: until then the check mark shows what was asked.
    m_freeRide->setChecked(!allFreeRiders);
    emit statusMessage(allFreeRiders
                           ? tr("%1 upload again.").arg(names(ids))
                           : tr("%1 now free-ride: they download but upload nothing.").arg(names(ids)));
}

void PeerActions::openFolder() {
    if (const LabPeerSnapshot* peer = m_snapshot ? m_snapshot->peer(m_selection->current()) : nullptr)
        QDesktopServices::openUrl(QUrl::fromLocalFile(peer->dataDir));
}

void PeerActions::remove() {
    QList<int> ids;
    for (const LabPeerSnapshot* p : selectedSnapshots())
        ids.append(p->id);
    if (ids.isEmpty())
        return;
    if (ids.size() > 1 &&
        QMessageBox::question(m_window, tr("Remove Peers"),
                              tr("Remove %1? Leechers' downloaded copies are deleted.").arg(names(ids))) !=
            QMessageBox::Yes)
        return;
    for (int id : ids)
        m_controller->lab()->removePeer(id, true);
    m_selection->clear();
    emit statusMessage(tr("Removed %1.").arg(names(ids)));
}

void PeerActions::selectAll() {
    if (!m_snapshot)
        return;
    QList<int> ids;
    for (const LabPeerSnapshot& p : m_snapshot->peers)
        ids.append(p.id);
    m_selection->setPeers(ids, m_selection->current());
}

void PeerActions::addShortcutTarget(QWidget* view) {
    view->addAction(m_pauseResume);
    view->addAction(m_selectAll);
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
    // Right-clicking one of several selected peers acts on all of them, as in a file manager.
    if (m_selection->contains(peer))
        m_selection->setPeers(m_selection->peers(), peer);
    else
        m_selection->selectOnly(peer);
    updateActions();
    QMenu menu(m_window);
    menu.setFont(m_window->font()); // a window of its own: the window's zoom does not reach it
    const QList<int> peers = m_selection->peers();
    menu.addSection(peers.size() == 1 ? tr("Peer #%1").arg(peer) : names(peers));
    menu.addActions(actions());
    menu.addSeparator();
    menu.addAction(m_selectAll);
    menu.exec(menuEvent->globalPos());
    return true;
}

} // namespace swarmscope::ui
