#include "cli/SwarmTimeline.h"

#include "cli/CliError.h"

namespace swarmscope::cli {

SwarmTimeline::SwarmTimeline(const QString& path, qint64 intervalMs)
    : m_file(path), m_intervalMs(qMax<qint64>(1, intervalMs)) {
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        throw RuntimeFailure(QStringLiteral("cannot write the timeline: %1").arg(m_file.errorString()), path);
    const QByteArray header = "time_s,peer,role,state,pieces,piece_count,downloaded,uploaded,download_rate,"
                              "upload_rate,wasted,connections\n";
    m_failed = m_file.write(header) != header.size();
}

void SwarmTimeline::record(const SwarmSnapshot& snapshot, bool force) {
    if (m_failed || (!force && m_lastMs >= 0 && snapshot.timeMs - m_lastMs < m_intervalMs))
        return;
    if (snapshot.timeMs == m_lastMs)
        return;
    m_lastMs = snapshot.timeMs;
    QByteArray rows;
    rows.reserve(snapshot.peers.size() * 80);
    const QByteArray time = QByteArray::number(snapshot.timeMs / 1000.0, 'f', 3);
    for (const LabPeerSnapshot& p : snapshot.peers) {
        rows += time + ',' + QByteArray::number(p.id) + ',' + torrentRoleName(p.role).toUtf8() + ',' +
                labPeerStateName(p.state).toUtf8() + ',' + QByteArray::number(p.have.count()) + ',' +
                QByteArray::number(p.pieceCount) + ',' + QByteArray::number(p.downloaded) + ',' +
                QByteArray::number(p.uploaded) + ',' + QByteArray::number(p.downloadRate) + ',' +
                QByteArray::number(p.uploadRate) + ',' + QByteArray::number(p.wasted) + ',' +
                QByteArray::number(p.connectionCount) + '\n';
    }
    m_failed = m_file.write(rows) != rows.size();
}

void SwarmTimeline::finish() {
    if (!m_failed)
        m_failed = !m_file.flush();
    if (m_failed)
        throw RuntimeFailure(QStringLiteral("cannot write the timeline: %1").arg(m_file.errorString()),
                             m_file.fileName());
    m_file.close();
}

} // namespace swarmscope::cli
