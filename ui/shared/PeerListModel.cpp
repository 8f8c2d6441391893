#include "shared/PeerListModel.h"

#include "shared/SizeFormat.h"

#include <QHash>

namespace swarmscope::ui {

namespace {

bool sameShown(const LabPeerSnapshot& a, const LabPeerSnapshot& b) {
    return a.state == b.state && a.role == b.role && a.have.count() == b.have.count() &&
           a.pieceCount == b.pieceCount && a.downloadRate == b.downloadRate && a.uploadRate == b.uploadRate &&
           a.connectionCount == b.connectionCount;
}

LabPeerSnapshot withoutConnections(const LabPeerSnapshot& peer) {
    LabPeerSnapshot copy = peer;
    copy.connections.clear(); // the model shows counts only; keeping them would pin every remote bitfield
    return copy;
}

QString rateText(qint64 bytesPerSecond) {
    return bytesPerSecond <= 0 ? QStringLiteral("0")
                               : QString(formatSize(bytesPerSecond) + QStringLiteral("/s"));
}

} // namespace

PeerListModel::PeerListModel(QObject* parent) : QAbstractTableModel(parent) {}

QString PeerListModel::peerName(const LabPeerSnapshot& peer) {
    // A free-rider is named for what it does, so every view that names peers shows who takes without giving.
    if (peer.freeRider)
        return peer.role == TorrentRole::Leecher
                   ? tr("#%1 free-rider").arg(peer.id)
                   : tr("#%1 %2, free-rider").arg(peer.id).arg(torrentRoleName(peer.role));
    return QStringLiteral("#%1 %2").arg(peer.id).arg(torrentRoleName(peer.role));
}

void PeerListModel::setSnapshot(const SwarmSnapshotPtr& snapshot) {
    static const QList<LabPeerSnapshot> kNone;
    const QList<LabPeerSnapshot>& fresh = snapshot ? snapshot->peers : kNone;
    QHash<int, qsizetype> freshIndex;
    freshIndex.reserve(fresh.size());
    for (qsizetype i = 0; i < fresh.size(); ++i)
        freshIndex.insert(fresh[i].id, i);

    for (int row = int(m_rows.size()) - 1; row >= 0;) {
        if (freshIndex.contains(m_rows[size_t(row)].id)) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && !freshIndex.contains(m_rows[size_t(first - 1)].id))
            --first;
        beginRemoveRows({}, first, row);
        m_rows.erase(m_rows.begin() + first, m_rows.begin() + row + 1);
        endRemoveRows();
        row = first - 1;
    }

    int runStart = -1;
    for (int row = 0; row <= int(m_rows.size()); ++row) {
        bool changed = false;
        if (row < int(m_rows.size())) {
            LabPeerSnapshot& current = m_rows[size_t(row)];
            const LabPeerSnapshot& next = fresh[freshIndex.value(current.id)];
            changed = !sameShown(current, next);
            current = withoutConnections(next);
        }
        if (changed && runStart < 0) {
            runStart = row;
        } else if (!changed && runStart >= 0) {
            emit dataChanged(index(runStart, 0), index(row - 1, ColumnCount - 1));
            runStart = -1;
        }
    }

    // Peer ids only grow, so new peers belong at the end; rows stay in ascending id order.
    const int lastId = m_rows.empty() ? 0 : m_rows.back().id;
    std::vector<const LabPeerSnapshot*> added;
    for (const LabPeerSnapshot& p : fresh)
        if (p.id > lastId)
            added.push_back(&p);
    if (!added.empty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        for (const LabPeerSnapshot* p : added)
            m_rows.push_back(withoutConnections(*p));
        endInsertRows();
    }
}

int PeerListModel::peerIdAt(int row) const {
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].id : 0;
}

int PeerListModel::rowOfPeer(int peerId) const {
    const auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), peerId,
                                     [](const LabPeerSnapshot& p, int id) { return p.id < id; });
    return it != m_rows.cend() && it->id == peerId ? int(it - m_rows.cbegin()) : -1;
}

int PeerListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int PeerListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PeerListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LabPeerSnapshot& p = m_rows[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return peerName(p);
        case StateColumn:
            return labPeerStateName(p.state);
        case ProgressColumn:
            return QString(QString::number(p.progress() * 100.0, 'f', 1) + QStringLiteral(" %"));
        case DownloadRateColumn:
            return rateText(p.downloadRate);
        case UploadRateColumn:
            return rateText(p.uploadRate);
        case ConnectionsColumn:
            return p.connectionCount;
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() >= ProgressColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole:
        if (p.state == LabPeerState::Error)
            return p.error;
        break;
    case PeerIdRole:
        return p.id;
    case ValueRole:
        switch (index.column()) {
        case NameColumn:
            return p.id;
        case StateColumn:
            return int(p.state);
        case ProgressColumn:
            return p.progress();
        case DownloadRateColumn:
            return p.downloadRate;
        case UploadRateColumn:
            return p.uploadRate;
        case ConnectionsColumn:
            return p.connectionCount;
        }
        break;
    }
    return {};
}

QVariant PeerListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Peer");
    case StateColumn:
        return tr("State");
    case ProgressColumn:
        return tr("Done");
    case DownloadRateColumn:
        return tr("↓ Rate");
    case UploadRateColumn:
        return tr("↑ Rate");
    case ConnectionsColumn:
        return tr("Connections");
    }
    return {};
}

} // namespace swarmscope::ui
