#pragma once

#include "swarm/SwarmSnapshot.h"

#include <QList>
#include <QWidget>

class QAction;
class QCheckBox;
class QLineEdit;
class QToolButton;
class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;

namespace swarmscope::ui {

class LabController;
class RateEdit;

// The lab's live knobs: latency and jitter, upload and download caps, the piece picker and the choker, for
// every peer or only the selected ones. Every change goes to the lab at once; the panel keeps no state of its
// own beyond what it shows. Above them, read-only, the shown torrent's piece size: it is fixed when a
// torrent is made (in the create dialog), so it is shown here, not offered.
class ControlPanel : public QWidget {
    Q_OBJECT
public:
    explicit ControlPanel(LabController* controller, QWidget* parent = nullptr);

    // The selected peers, and the current one among them, whose values the controls show.
    void setSelectedPeers(const QList<int>& peers, int current);
    void setSelectedPeer(int peerId) { setSelectedPeers(peerId ? QList<int>{peerId} : QList<int>{}, peerId); }
    void setSnapshot(const swarmscope::SwarmSnapshotPtr& snapshot);
    // The shown torrent, for the piece size line: empty name for none.
    void setTorrent(const QString& name, int pieceCount, qint64 pieceLength);
    QString torrentLineShown() const;
    // true: the live controls act on the selected peers only (when some are selected).
    bool isSelectedPeerOnly() const;
    void setSelectedPeerOnly(bool only);

    // As if the user moved the latency slider; for keyboard users and tests.
    void setLatencyMs(int ms);

    // The lab folder row: the folder this run's peers use (and the one all runs go in, for its tooltip), and
    // buttons for the window's actions that open it and choose another.
    void setLabFolderActions(QAction* open, QAction* choose);
    void setLabFolder(const QString& runFolder, const QString& parentFolder);
    QString labFolderShown() const;

private:
    // The peers the live controls act on: the selected ones, or {0} for every peer.
    QList<int> targetPeers() const;
    // Shows the target's current values without sending them back.
    void showTargetValues();
    void sendLatency();

    LabController* m_controller;
    SwarmSnapshotPtr m_snapshot;
    QList<int> m_selectedPeers;
    int m_currentPeer = 0;

    QLabel* m_torrentLine;
    QCheckBox* m_selectedOnly;
    QLabel* m_scopeLabel;
    QSlider* m_latency;
    QLabel* m_latencyLabel;
    QSpinBox* m_jitter;
    RateEdit* m_upload;
    RateEdit* m_download;
    QComboBox* m_picker;
    QCheckBox* m_choker;
    QLineEdit* m_labFolder;
    QToolButton* m_openLabFolder;
    QToolButton* m_chooseLabFolder;
};

} // namespace swarmscope::ui
