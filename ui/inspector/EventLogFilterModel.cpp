#include "inspector/EventLogFilterModel.h"

#include "inspector/EventLogModel.h"

namespace swarmscope::ui {

EventLogFilterModel::EventLogFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {}

void EventLogFilterModel::setTorrent(int torrent) {
    if (torrent == m_torrent)
        return;
    m_torrent = torrent;
    invalidateRowsFilter();
}

void EventLogFilterModel::setPeer(int peerId) {
    if (peerId == m_peer)
        return;
    m_peer = peerId;
    invalidateRowsFilter();
}

void EventLogFilterModel::setKind(std::optional<PeerEventKind> kind) {
    if (kind == m_kind)
        return;
    m_kind = kind;
    invalidateRowsFilter();
}

void EventLogFilterModel::setText(const QString& text) {
    if (text == m_text)
        return;
    m_text = text;
    invalidateRowsFilter();
}

bool EventLogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QAbstractItemModel* source = sourceModel();
    if (!source)
        return false;
    // A busy lab appends thousands of rows per snapshot: read the log's events directly, without building a
    // QVariant per cell, and check the cheap fields before any text.
    if (const auto* log = qobject_cast<const EventLogModel*>(source)) {
        const SwarmEvent& e = log->eventAt(sourceRow);
        if (m_torrent > 0 && e.torrent != m_torrent)
            return false;
        if (m_peer > 0 && e.peer != m_peer)
            return false;
        if (m_kind && e.event.kind != *m_kind)
            return false;
    } else {
        if (m_torrent > 0 &&
            source->index(sourceRow, 0, sourceParent).data(EventLogModel::TorrentRole).toInt() != m_torrent)
            return false;
        if (m_peer > 0 && source->index(sourceRow, EventLogModel::PeerColumn, sourceParent)
                                  .data(EventLogModel::PeerRole)
                                  .toInt() != m_peer)
            return false;
        if (m_kind && source->index(sourceRow, EventLogModel::KindColumn, sourceParent)
                              .data(EventLogModel::KindRole)
                              .toInt() != int(*m_kind))
            return false;
    }
    if (m_text.isEmpty())
        return true;
    for (int column = 0; column < source->columnCount(sourceParent); ++column)
        if (source->index(sourceRow, column, sourceParent)
                .data(Qt::DisplayRole)
                .toString()
                .contains(m_text, Qt::CaseInsensitive))
            return true;
    return false;
}

} // namespace swarmscope::ui
