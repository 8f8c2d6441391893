#include "dialogs/PeerConditionsDialog.h"

#include "shared/RateEdit.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

namespace swarmscope::ui {

PeerConditionsDialog::PeerConditionsDialog(const QList<int>& peers, const PeerConditions& current,
                                           QWidget* parent)
    : QDialog(parent) {
    QStringList names;
    for (int peer : peers)
        names.append(QStringLiteral("#%1").arg(peer));
    const QString who =
        peers.size() == 1
            ? tr("peer %1").arg(names.first())
            : tr("%n peers (%1)", nullptr, int(peers.size())).arg(names.join(QStringLiteral(", ")));
    setWindowTitle(peers.size() == 1 ? tr("Latency and Caps of Peer %1").arg(names.first())
                                     : tr("Latency and Caps of %n Peers", nullptr, int(peers.size())));

    m_latency = new QSpinBox(this);
    m_latency->setObjectName(QStringLiteral("peerLatency"));
    m_latency->setRange(0, 10'000);
    m_latency->setSingleStep(10);
    m_latency->setSuffix(tr(" ms"));
    m_latency->setValue(int(current.latencyMs));
    m_latency->setToolTip(tr("One-way delay added to every message these peers send or receive. Watch their "
                             "rates: a deep enough request pipeline hides it."));
    m_jitter = new QSpinBox(this);
    m_jitter->setObjectName(QStringLiteral("peerJitter"));
    m_jitter->setRange(0, 5'000);
    m_jitter->setSingleStep(5);
    m_jitter->setSuffix(tr(" ms"));
    m_jitter->setValue(int(current.jitterMs));
    m_jitter->setToolTip(tr("Random variation of the delay, up to this much either way."));
    m_upload = new RateEdit(this);
    m_upload->setBytesPerSecond(current.uploadRate);
    m_upload->setToolTip(tr("Upload cap of each of these peers; unlimited at 0. Watch the graph: their "
                            "outgoing arrows thin out."));
    m_download = new RateEdit(this);
    m_download->setBytesPerSecond(current.downloadRate);
    m_download->setToolTip(tr("Download cap of each of these peers; unlimited at 0. Watch the piece map: "
                              "their rows fill more slowly."));

    auto* form = new QFormLayout;
    form->addRow(tr("Latency:"), m_latency);
    form->addRow(tr("Jitter:"), m_jitter);
    form->addRow(tr("Upload cap:"), m_upload);
    form->addRow(tr("Download cap:"), m_download);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* note = new QLabel(
        tr("For %1 alone, from now on. Moving a control for every peer sets it again.").arg(who), this);
    note->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(note);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

PeerConditions PeerConditionsDialog::conditions() const {
    PeerConditions c;
    c.latencyMs = m_latency->value();
    c.jitterMs = m_jitter->value();
    c.uploadRate = m_upload->bytesPerSecond();
    c.downloadRate = m_download->bytesPerSecond();
    return c;
}

} // namespace swarmscope::ui
