#pragma once

#include "swarm/SwarmSnapshot.h"

#include <QHash>
#include <QObject>
#include <QPoint>

#include <functional>

class QAction;
class QMenu;
class QWidget;

namespace swarmscope::ui {

class LabController;

// What a user can do to one peer, the selected one: pause or resume, kill, restart, change its link,
// open its folder, remove it. The same actions fill the Peer menu, the toolbar and a context menu on any
// view that can say which peer is under the mouse.
class PeerActions : public QObject {
    Q_OBJECT
public:
    PeerActions(LabController* controller, QWidget* window);

    void setSelectedPeer(int peerId);
    int selectedPeer() const { return m_peer; }
    void setSnapshot(const swarmscope::SwarmSnapshotPtr& snapshot);

    QList<QAction*> actions() const;
    QAction* pauseResumeAction() const { return m_pauseResume; }
    QAction* removeAction() const { return m_remove; }

    // Space pauses or resumes the selected peer while view, or a child of it, has the focus.
    void addShortcutTarget(QWidget* view);
    // Right-clicking target selects the peer peerAt() finds under the point (widget coordinates) and
    // opens the peer menu for it.
    void attachContextMenu(QWidget* target, std::function<int(const QPoint&)> peerAt);

    // The actions themselves, on the selected peer.
    void togglePause();
    void kill();
    void restart();
    void editConditions();
    void openFolder();
    void remove();

signals:
    // A context menu chose a peer; the window selects it everywhere.
    void peerChosen(int peerId);
    void statusMessage(const QString& message);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void updateActions();
    const LabPeerSnapshot* peerSnapshot() const;

    LabController* m_controller;
    QWidget* m_window;
    SwarmSnapshotPtr m_snapshot;
    int m_peer = 0;
    QHash<QObject*, std::function<int(const QPoint&)>> m_targets;

    QAction* m_pauseResume;
    QAction* m_kill;
    QAction* m_restart;
    QAction* m_conditions;
    QAction* m_openFolder;
    QAction* m_remove;
};

} // namespace swarmscope::ui
