#pragma once

#include "swarm/SwarmSnapshot.h"

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

// The lab's knobs: the piece size of the next torrent, and the live ones, latency and jitter, upload and
// download caps, the piece picker and the choker, for every peer or only the selected one. Every change
// goes to the lab at once; the panel keeps no state of its own beyond what it shows.
class ControlPanel : public QWidget {
    Q_OBJECT
public:
    explicit ControlPanel(LabController* controller, QWidget* parent = nullptr);

    // log2 of the piece size for the next torrent, 14 (16 KiB) .. 24 (16 MiB); 0: automatic.
    int pieceSizeExponent() const;
    void setPieceSizeExponent(int exponent);

    void setSelectedPeer(int peerId);
    void setSnapshot(const swarmscope::SwarmSnapshotPtr& snapshot);
    // true: the live controls act on the selected peer only (when one is selected).
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
    // The peer the live controls act on: the selected one, or 0 for every peer.
    int targetPeer() const;
    // Shows the target's current values without sending them back.
    void showTargetValues();
    void sendLatency();
    void updatePieceLabel();

    LabController* m_controller;
    SwarmSnapshotPtr m_snapshot;
    int m_selectedPeer = 0;

    QSlider* m_pieceSlider;
    QLabel* m_pieceLabel;
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
