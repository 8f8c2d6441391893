#pragma once

#include "swarm/PeerConditions.h"

#include <QDialog>
#include <QList>

class QSpinBox;

namespace swarmscope::ui {

class RateEdit;

// The simulated link of one peer or of several selected ones, edited as a whole: latency, jitter, upload
// and download caps. It opens with current's values (the current peer's).
class PeerConditionsDialog : public QDialog {
    Q_OBJECT
public:
    PeerConditionsDialog(const QList<int>& peers, const PeerConditions& current, QWidget* parent = nullptr);

    PeerConditions conditions() const;

private:
    QSpinBox* m_latency;
    QSpinBox* m_jitter;
    RateEdit* m_upload;
    RateEdit* m_download;
};

} // namespace swarmscope::ui
