#include "inspector/EventLogModel.h"

#include "shared/SizeFormat.h"

namespace swarmscope::ui {

namespace {

QString remoteName(const SwarmEvent& e) {
    if (e.remotePeer >= 0)
        return QStringLiteral("#%1").arg(e.remotePeer);
    if (!e.event.address.isNull())
        return QString(e.event.address.toString() + u':' + QString::number(e.event.port));
    return EventLogModel::tr("a peer");
}

QString because(const QString& reason) {
    return reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason);
}

} // namespace

QString EventLogModel::sentence(const SwarmEvent& e) {
    const QString me = QStringLiteral("#%1").arg(e.peer);
    const QString them = remoteName(e);
    const QString reason = because(e.event.reason);
    const int piece = e.event.piece;
    switch (e.event.kind) {
    case PeerEventKind::Connected:
        // Who dialled whom: the arrow of a connection.
        return e.event.outgoing ? tr("%1 connected to %2").arg(me, them)
                                : tr("%1 connected to %2").arg(them, me);
    case PeerEventKind::Disconnected:
        return tr("%1 disconnected from %2%3").arg(me, them, reason);
    case PeerEventKind::Choked:
        return tr("%1 choked %2%3").arg(me, them, reason);
    case PeerEventKind::Unchoked:
        return tr("%1 unchoked %2%3").arg(me, them, reason);
    case PeerEventKind::PeerChoked:
        return tr("%1 choked %2%3").arg(them, me, reason);
    case PeerEventKind::PeerUnchoked:
        return tr("%1 unchoked %2%3").arg(them, me, reason);
    case PeerEventKind::Have:
        return tr("%1 → %2: have piece %3").arg(them, me).arg(piece);
    case PeerEventKind::PieceVerified:
        return e.remotePeer > 0 || !e.event.address.isNull()
                   ? tr("%1 verified piece %2, mostly from %3").arg(me).arg(piece).arg(them)
                   : tr("%1 verified piece %2").arg(me).arg(piece);
    case PeerEventKind::HashFailed:
        return tr("%1: piece %2 failed its SHA-1 check, downloading it again").arg(me).arg(piece);
    case PeerEventKind::PeerBanned:
        return tr("%1 banned %2%3").arg(me, them, reason);
    case PeerEventKind::Extensions:
        // What the peer's BEP 10 handshake said: its client, its extensions, whether it speaks BEP 6.
        return tr("%1 → %2: extended handshake: %3").arg(them, me, e.event.reason);
    case PeerEventKind::Completed:
        return tr("%1 has every piece: download complete").arg(me);
    case PeerEventKind::Error:
        return tr("%1 stopped working%2").arg(me, reason);
    case PeerEventKind::Control:
        // What the lab was told, by the window, a scenario or the command line.
        return e.peer > 0 ? tr("Lab: %1 for %2").arg(e.event.reason, me)
                          : tr("Lab: %1 for every peer").arg(e.event.reason);
    }
    return peerEventKindName(e.event.kind);
}

EventLogModel::EventLogModel(QObject* parent) : QAbstractTableModel(parent) {}

void EventLogModel::appendEvents(const QList<SwarmEvent>& events) {
    if (events.isEmpty())
        return;
    // A batch larger than the whole log keeps only its newest events.
    const qsizetype skip = qMax<qsizetype>(0, events.size() - m_capacity);
    const int incoming = int(events.size() - skip);
    const int overflow = int(m_events.size()) + incoming - m_capacity;
    m_dropped += skip;
    if (overflow > 0)
        dropOldest(overflow);
    const int first = int(m_events.size());
    beginInsertRows({}, first, first + incoming - 1);
    for (qsizetype i = skip; i < events.size(); ++i)
        m_events.push_back(events[i]);
    endInsertRows();
}

void EventLogModel::dropOldest(int count) {
    count = qMin(count, int(m_events.size()));
    if (count <= 0)
        return;
    beginRemoveRows({}, 0, count - 1);
    m_events.erase(m_events.begin(), m_events.begin() + count);
    m_dropped += count;
    endRemoveRows();
}

void EventLogModel::clear() {
    beginResetModel();
    m_events.clear();
    m_dropped = 0;
    endResetModel();
}

void EventLogModel::setCapacity(int rows) {
    m_capacity = qMax(1, rows);
    if (int(m_events.size()) > m_capacity)
        dropOldest(int(m_events.size()) - m_capacity);
}

int EventLogModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_events.size());
}

int EventLogModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SwarmEvent& e = m_events[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return formatLabTime(e.timeMs, 3);
        case PeerColumn:
            return QStringLiteral("#%1").arg(e.peer);
        case KindColumn:
            return peerEventKindName(e.event.kind);
        case RemoteColumn:
            if (e.remotePeer >= 0)
                return QStringLiteral("#%1").arg(e.remotePeer);
            if (!e.event.address.isNull())
                return QString(e.event.address.toString() + u':' + QString::number(e.event.port));
            return QString();
        case PieceColumn:
            return e.event.piece >= 0 ? QString::number(e.event.piece) : QString();
        case ReasonColumn:
            return e.event.reason;
        case WhatColumn:
            return sentence(e);
        }
        break;
    case Qt::ToolTipRole:
        // A cell too narrow for its sentence is elided: the tooltip always has the whole of it.
        return QString(formatLabTime(e.timeMs, 3) + QStringLiteral("  ") + sentence(e));
    case Qt::TextAlignmentRole:
        if (index.column() == PieceColumn || index.column() == TimeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case PeerRole:
        return e.peer;
    case KindRole:
        return int(e.event.kind);
    case RemotePeerRole:
        return e.remotePeer;
    case TimeRole:
        return e.timeMs;
    case TorrentRole:
        return e.torrent;
    }
    return {};
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case PeerColumn:
        return tr("Peer");
    case KindColumn:
        return tr("Event");
    case RemoteColumn:
        return tr("Remote");
    case PieceColumn:
        return tr("Piece");
    case ReasonColumn:
        return tr("Reason");
    case WhatColumn:
        return tr("What happened");
    }
    return {};
}

} // namespace swarmscope::ui
