#include "compare/CompareRunPane.h"

#include "piecemap/PieceMapWidget.h"

#include "scenario/ScenarioRun.h"

#include <QLabel>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace swarmscope::ui {

CompareRunPane::CompareRunPane(QWidget* parent)
    : QWidget(parent), m_lastSeconds(std::numeric_limits<double>::quiet_NaN()),
      m_ratio(std::numeric_limits<double>::quiet_NaN()) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_header = new QLabel(this);
    m_header->setObjectName(QStringLiteral("compareRunHeader"));
    m_header->setContentsMargins(8, 4, 8, 4);
    m_map = new PieceMapWidget(this);
    m_map->setObjectName(QStringLiteral("compareRunPieceMap"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("compareRunStatus"));
    m_status->setTextFormat(Qt::RichText);
    m_status->setWordWrap(true);
    m_status->setContentsMargins(8, 2, 8, 2);
    layout->addWidget(m_header);
    layout->addWidget(m_map, 1);
    layout->addWidget(m_status);
}

void CompareRunPane::setRun(const QString& letter, const QString& value, const QColor& color) {
    m_header->setText(tr("<b>Run %1</b> &nbsp; %2").arg(letter, value.toHtmlEscaped()));
    m_header->setStyleSheet(
        QStringLiteral("QLabel { background: %1; color: white; font-size: 115%; }").arg(color.name()));
}

void CompareRunPane::clear() {
    m_snapshot.reset();
    m_map->setSnapshot(std::make_shared<const SwarmSnapshot>());
    m_boundSeconds = 0;
    m_finished = false;
    m_lastSeconds = std::numeric_limits<double>::quiet_NaN();
    m_ratio = std::numeric_limits<double>::quiet_NaN();
    m_finalText.clear();
    updateStatus();
}

void CompareRunPane::setSnapshot(const SwarmSnapshotPtr& snapshot) {
    m_snapshot = snapshot;
    m_map->setSnapshot(snapshot);
    updateStatus();
}

void CompareRunPane::setBoundSeconds(double seconds) {
    m_boundSeconds = seconds;
    updateStatus();
}

void CompareRunPane::setResult(const ScenarioResult& result) {
    m_finished = true;
    const QList<const ScenarioPeer*> leechers = result.leechers();
    double last = 0;
    for (const ScenarioPeer* p : leechers)
        last = std::max(last, p->completionSeconds());
    const int done = result.completedLeechers();
    if (!leechers.isEmpty() && done == leechers.size() && result.boundSeconds > 0) {
        m_lastSeconds = last;
        m_ratio = last / result.boundSeconds;
        m_finalText =
            tr("<b>Last leecher done after %1 s</b> = <b>%2 ×</b> the Kumar–Ross bound (%3 s, the least "
               "time any swarm with these caps could take)%4")
                .arg(last, 0, 'f', 1)
                .arg(m_ratio, 0, 'f', 2)
                .arg(result.boundSeconds, 0, 'f', 1)
                .arg(result.verified() ? tr("; every copy checked against the piece hashes") : QString());
    } else {
        m_finalText = tr("<b>Stopped (%1): %2 of %3 leechers complete</b>; no time to compare with the bound")
                          .arg(scenarioStopReasonName(result.stopReason))
                          .arg(done)
                          .arg(leechers.size());
    }
    updateStatus();
}

QString CompareRunPane::headerText() const {
    return m_header->text();
}

QString CompareRunPane::statusText() const {
    return m_status->text();
}

void CompareRunPane::updateStatus() {
    if (m_finished) {
        m_status->setText(m_finalText);
        return;
    }
    int leechers = 0;
    int done = 0;
    if (m_snapshot) {
        for (const LabPeerSnapshot& p : m_snapshot->peers) {
            if (p.role != TorrentRole::Leecher)
                continue;
            ++leechers;
            if (p.completedAtMs >= 0)
                ++done;
        }
    }
    QString text = tr("%1 of %2 leechers complete").arg(done).arg(leechers);
    if (m_boundSeconds > 0)
        text += tr(" · Kumar–Ross bound %1 s").arg(m_boundSeconds, 0, 'f', 1);
    m_status->setText(text);
}

} // namespace swarmscope::ui
