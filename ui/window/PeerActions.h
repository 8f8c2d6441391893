#pragma once

#include "shared/PeerSelection.h"

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

// What a user can do to the selected peers, one or many: pause or resume, kill, restart, change their link,
// make them free-riders, open the current one's folder, remove them; and select every peer. The same actions
// fill the Peer menu, the toolbar and a context menu on any view that can say which peer is under the mouse.
class PeerActions : public QObject {
    Q_OBJECT
public:
    PeerActions(LabController* controller, PeerSelection* selection, QWidget* window);

    void setSnapshot(const swarmscope::SwarmSnapshotPtr& snapshot);
    // Nothing to act on (a replayed recording's peers do not run): every action but Select All is greyed.
    void setReadOnly(bool readOnly);
    PeerSelection* selection() const { return m_selection; }

    // The peer actions, in menu order (select all is apart).
    QList<QAction*> actions() const;
    QAction* pauseResumeAction() const { return m_pauseResume; }
    QAction* killAction() const { return m_kill; }
    QAction* restartAction() const { return m_restart; }
    QAction* conditionsAction() const { return m_conditions; }
    QAction* freeRideAction() const { return m_freeRide; }
    QAction* removeAction() const { return m_remove; }
    QAction* selectAllAction() const { return m_selectAll; }

    // Space pauses or resumes and Ctrl+A selects every peer while view, or a child of it, has the focus.
    void addShortcutTarget(QWidget* view);
    // Right-clicking target opens the peer menu for the peer peerAt() finds under the point (widget
    // coordinates): for the whole selection when that peer is in it, else for that peer alone.
    void attachContextMenu(QWidget* target, std::function<int(const QPoint&)> peerAt);

    // The actions themselves, on every selected peer.
    void togglePause();
    void kill();
    void restart();
    void editConditions();
    // Makes every selected peer a free-rider (downloads, uploads nothing), or, when every one already is,
    // a normal peer again.
    void toggleFreeRide();
    void openFolder();
    void remove();
    void selectAll();

signals:
    void statusMessage(const QString& message);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void updateActions();
    bool m_readOnly = false;
    // The selected peers the snapshot holds.
    QList<const LabPeerSnapshot*> selectedSnapshots() const;
    static QString names(const QList<int>& peers);

    LabController* m_controller;
    PeerSelection* m_selection;
    QWidget* m_window;
    SwarmSnapshotPtr m_snapshot;
    QHash<QObject*, std::function<int(const QPoint&)>> m_targets;

    QAction* m_pauseResume;
    QAction* m_kill;
    QAction* m_restart;
    QAction* m_conditions;
    QAction* m_freeRide;
    QAction* m_openFolder;
    QAction* m_remove;
    QAction* m_selectAll;
};

} // namespace swarmscope::ui
