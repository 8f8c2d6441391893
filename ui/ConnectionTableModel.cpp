#include "ConnectionTableModel.h"

#include "SizeFormat.h"

#include <QHash>

namespace swarmscope::ui {

namespace {

// The values a row shows; two rows with the same values need no repaint.
bool sameShown(const LabConnectionSnapshot& a, const LabConnectionSnapshot& b) {
    const ConnectionSnapshot& x = a.info;
    const ConnectionSnapshot& y = b.info;
    return a.remotePeer == b.remotePeer && x.amChoking == y.amChoking && x.amInterested == y.amInterested &&
           x.peerChoking == y.peerChoking && x.peerInterested == y.peerInterested &&
           x.downloadRate == y.downloadRate && x.uploadRate == y.uploadRate &&
           x.requestsOut == y.requestsOut && x.requestsIn == y.requestsIn && x.rttMs == y.rttMs &&
           x.outgoing == y.outgoing && x.optimistic == y.optimistic && x.snubbed == y.snubbed &&
           x.port == y.port && x.address == y.address;
}

QString rateText(qint64 bytesPerSecond) {
    return bytesPerSecond <= 0 ? QStringLiteral("0")
                               : QString(formatSize(bytesPerSecond) + QStringLiteral("/s"));
}

} // namespace

ConnectionTableModel::ConnectionTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void ConnectionTableModel::setPeer(int peerId) {
    if (peerId == m_peer)
        return;
    // Another peer's connections share nothing with these rows: a reset is the honest signal.
    beginResetModel();
    m_peer = peerId;
    m_rows.clear();
    const LabPeerSnapshot* peer = m_snapshot && m_peer > 0 ? m_snapshot->peer(m_peer) : nullptr;
    if (peer)
        m_rows.assign(peer->connections.cbegin(), peer->connections.cend());
    endResetModel();
}

void ConnectionTableModel::setSnapshot(const SwarmSnapshotPtr& snapshot) {
    m_snapshot = snapshot;
    sync();
}

void ConnectionTableModel::sync() {
    const LabPeerSnapshot* peer = m_snapshot && m_peer > 0 ? m_snapshot->peer(m_peer) : nullptr;
    static const QList<LabConnectionSnapshot> kNone;
    const QList<LabConnectionSnapshot>& fresh = peer ? peer->connections : kNone;

    QHash<quint64, qsizetype> freshIndex;
    freshIndex.reserve(fresh.size());
    for (qsizetype i = 0; i < fresh.size(); ++i)
        freshIndex.insert(fresh[i].info.id, i);

    // Closed connections go first, from the bottom so earlier row numbers stay valid, in contiguous runs.
    for (int row = int(m_rows.size()) - 1; row >= 0;) {
        if (freshIndex.contains(m_rows[size_t(row)].info.id)) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && !freshIndex.contains(m_rows[size_t(first - 1)].info.id))
            --first;
        beginRemoveRows({}, first, row);
        m_rows.erase(m_rows.begin() + first, m_rows.begin() + row + 1);
        endRemoveRows();
        row = first - 1;
    }

    // Surviving rows keep their place; changed values are reported as runs of rows.
    QHash<quint64, bool> known;
    known.reserve(qsizetype(m_rows.size()));
    int runStart = -1;
    for (int row = 0; row <= int(m_rows.size()); ++row) {
        bool changed = false;
        if (row < int(m_rows.size())) {
            LabConnectionSnapshot& current = m_rows[size_t(row)];
            known.insert(current.info.id, true);
            const LabConnectionSnapshot& next = fresh[freshIndex.value(current.info.id)];
            changed = !sameShown(current, next);
            current = next;
        }
        if (changed && runStart < 0) {
            runStart = row;
        } else if (!changed && runStart >= 0) {
            emit dataChanged(index(runStart, 0), index(row - 1, ColumnCount - 1));
            runStart = -1;
        }
    }

    // New connections are appended in the snapshot's order.
    std::vector<const LabConnectionSnapshot*> added;
    for (const LabConnectionSnapshot& c : fresh)
        if (!known.contains(c.info.id))
            added.push_back(&c);
    if (!added.empty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        for (const LabConnectionSnapshot* c : added)
            m_rows.push_back(*c);
        endInsertRows();
    }
}

int ConnectionTableModel::remotePeerAt(int row) const {
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].remotePeer : -1;
}

quint64 ConnectionTableModel::connectionIdAt(int row) const {
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].info.id : 0;
}

int ConnectionTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ConnectionTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConnectionTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LabConnectionSnapshot& row = m_rows[size_t(index.row())];
    const ConnectionSnapshot& c = row.info;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case RemoteColumn:
            if (row.remotePeer >= 0)
                return QStringLiteral("#%1").arg(row.remotePeer);
            return QString(c.address.toString() + u':' + QString::number(c.port));
        case DirectionColumn:
            return c.outgoing ? tr("outgoing") : tr("incoming");
        case AmChokingColumn:
            if (c.amChoking)
                return tr("we choke them");
            return c.optimistic ? tr("we unchoke them (optimistic)") : tr("we unchoke them");
        case AmInterestedColumn:
            return c.amInterested ? tr("we are interested") : tr("not interested");
        case PeerChokingColumn:
            return c.peerChoking ? tr("they choke us") : tr("they unchoke us");
        case PeerInterestedColumn:
            return c.peerInterested ? tr("they are interested") : tr("they are not interested");
        case DownloadRateColumn:
            return rateText(c.downloadRate);
        case UploadRateColumn:
            return rateText(c.uploadRate);
        case RequestsOutColumn:
            return c.requestsOut;
        case RequestsInColumn:
            return c.requestsIn;
        case RttColumn:
            return c.rttMs < 0 ? QStringLiteral("—") : QString::number(c.rttMs);
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() >= DownloadRateColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole:
        if (index.column() == RemoteColumn)
            return QString(c.address.toString() + u':' + QString::number(c.port) +
                           (c.snubbed ? tr(" (snubbed)") : QString()) + (c.seed ? tr(" (seed)") : QString()));
        break;
    case RemotePeerRole:
        return row.remotePeer;
    case ConnectionIdRole:
        return c.id;
    case ValueRole:
        switch (index.column()) {
        case AmChokingColumn:
            return c.amChoking;
        case AmInterestedColumn:
            return c.amInterested;
        case PeerChokingColumn:
            return c.peerChoking;
        case PeerInterestedColumn:
            return c.peerInterested;
        case DownloadRateColumn:
            return c.downloadRate;
        case UploadRateColumn:
            return c.uploadRate;
        case RequestsOutColumn:
            return c.requestsOut;
        case RequestsInColumn:
            return c.requestsIn;
        case RttColumn:
            return c.rttMs;
        case RemoteColumn:
            return row.remotePeer;
        case DirectionColumn:
            return c.outgoing;
        }
        break;
    }
    return {};
}

QVariant ConnectionTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case RemoteColumn:
        return tr("Remote");
    case DirectionColumn:
        return tr("Direction");
    case AmChokingColumn:
        return tr("We → them");
    case AmInterestedColumn:
        return tr("Our interest");
    case PeerChokingColumn:
        return tr("They → us");
    case PeerInterestedColumn:
        return tr("Their interest");
    case DownloadRateColumn:
        return tr("↓ Rate");
    case UploadRateColumn:
        return tr("↑ Rate");
    case RequestsOutColumn:
        return tr("Req. out");
    case RequestsInColumn:
        return tr("Req. in");
    case RttColumn:
        return tr("RTT ms");
    }
    return {};
}

} // namespace swarmscope::ui
