#include "inspector/ConnectionTableModel.h"

#include <QColor>
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

// Three significant figures ("319 KiB/s", "1.74 MiB/s"): the column stays narrow and the digits mean
// something.
QString rateText(qint64 bytesPerSecond) {
    if (bytesPerSecond <= 0)
        return QStringLiteral("0");
    static const char* const units[] = {"B/s", "KiB/s", "MiB/s", "GiB/s"};
    double value = double(bytesPerSecond);
    int unit = 0;
    while (value >= 999.5 && unit < 3) {
        value /= 1024.0;
        ++unit;
    }
    const int decimals = unit == 0 ? 0 : value < 9.995 ? 2 : value < 99.95 ? 1 : 0;
    return QString::number(value, 'f', decimals) + u' ' + QLatin1String(units[unit]);
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
            return c.outgoing ? tr("out") : tr("in");
        // The headers say the flags as statements ("We choke them"); the cells answer yes or no.
        case AmChokingColumn:
            if (c.amChoking)
                return tr("yes");
            return c.optimistic ? tr("no (opt.)") : tr("no");
        case AmInterestedColumn:
            return c.amInterested ? tr("yes") : tr("no");
        case PeerChokingColumn:
            return c.peerChoking ? tr("yes") : tr("no");
        case PeerInterestedColumn:
            return c.peerInterested ? tr("yes") : tr("no");
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
        switch (index.column()) {
        case RemoteColumn:
            return QString(c.address.toString() + u':' + QString::number(c.port) +
                           (c.snubbed ? tr(" (snubbed)") : QString()) + (c.seed ? tr(" (seed)") : QString()) +
                           u'\n' + (c.outgoing ? tr("We dialled them") : tr("They dialled us")));
        case DirectionColumn:
            return c.outgoing ? tr("Outgoing: we dialled them") : tr("Incoming: they dialled us");
        case AmChokingColumn:
            if (c.amChoking)
                return tr("We choke them: we send them no data");
            return c.optimistic ? tr("We unchoke them as our optimistic unchoke: a trial upload slot")
                                : tr("We unchoke them: they may request data from us");
        case AmInterestedColumn:
            return c.amInterested ? tr("We are interested: they have pieces we lack")
                                  : tr("We are not interested: they have nothing we lack");
        case PeerChokingColumn:
            return c.peerChoking ? tr("They choke us: they send us no data")
                                 : tr("They unchoke us: we may request data from them");
        case PeerInterestedColumn:
            return c.peerInterested ? tr("They are interested: we have pieces they lack")
                                    : tr("They are not interested: we have nothing they lack");
        }
        break;
    case Qt::ForegroundRole:
        // Data can flow where a side unchokes an interested other; those cells stand out, the rest recede.
        if (index.column() == AmChokingColumn && c.amChoking)
            return QColor(0x88, 0x88, 0x88);
        if (index.column() == PeerChokingColumn && c.peerChoking)
            return QColor(0x88, 0x88, 0x88);
        if (index.column() == AmInterestedColumn && !c.amInterested)
            return QColor(0x88, 0x88, 0x88);
        if (index.column() == PeerInterestedColumn && !c.peerInterested)
            return QColor(0x88, 0x88, 0x88);
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
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case DirectionColumn:
            return tr("Who dialled: out = we did, in = they did");
        case AmChokingColumn:
            return tr("Whether we refuse to upload to them (BEP 3 am_choking)");
        case AmInterestedColumn:
            return tr("Whether they have pieces we want (am_interested)");
        case PeerChokingColumn:
            return tr("Whether they refuse to upload to us (peer_choking)");
        case PeerInterestedColumn:
            return tr("Whether we have pieces they want (peer_interested)");
        case DownloadRateColumn:
            return tr("Payload we receive from them per second");
        case UploadRateColumn:
            return tr("Payload we send them per second");
        case RequestsOutColumn:
            return tr("Our block requests to them not yet answered");
        case RequestsInColumn:
            return tr("Their block requests to us not yet answered");
        case RttColumn:
            return tr("Measured round-trip time in milliseconds (request to block)");
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    // Two short lines each, so the columns stay narrow.
    switch (section) {
    case RemoteColumn:
        return tr("Remote");
    case DirectionColumn:
        return tr("Dir.");
    case AmChokingColumn:
        return tr("We choke\nthem");
    case AmInterestedColumn:
        return tr("We are\ninterested");
    case PeerChokingColumn:
        return tr("They\nchoke us");
    case PeerInterestedColumn:
        return tr("They are\ninterested");
    case DownloadRateColumn:
        return tr("↓ from\nthem");
    case UploadRateColumn:
        return tr("↑ to\nthem");
    case RequestsOutColumn:
        return tr("Req.\nout");
    case RequestsInColumn:
        return tr("Req.\nin");
    case RttColumn:
        return tr("RTT\nms");
    }
    return {};
}

} // namespace swarmscope::ui
