#pragma once

#include "swarm/PeerConditions.h"

#include <QDialog>

class QSpinBox;

namespace swarmscope::ui {

class RateEdit;

// One peer's simulated link, edited as a whole: latency, jitter, upload and download caps.
class PeerConditionsDialog : public QDialog {
    Q_OBJECT
public:
    PeerConditionsDialog(int peerId, const PeerConditions& current, QWidget* parent = nullptr);

    PeerConditions conditions() const;

private:
    QSpinBox* m_latency;
    QSpinBox* m_jitter;
    RateEdit* m_upload;
    RateEdit* m_download;
};

} // namespace swarmscope::ui
