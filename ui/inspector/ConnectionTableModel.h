#pragma once

#include "swarm/SwarmSnapshot.h"

#include <QAbstractTableModel>

#include <vector>

namespace swarmscope::ui {

// The connections of one lab peer, one row each, from its snapshots. Rows are keyed by connection id: a
// snapshot with the same connections changes values in place (one dataChanged per run of changed rows),
// closed connections are removed and new ones appended, so a view keeps its selection and scroll position.
class ConnectionTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        RemoteColumn,         // "#7" for a lab peer, else "address:port"
        DirectionColumn,      // "out" (we dialled) / "in"
        AmChokingColumn,      // "We choke them": "yes" / "no" / "no (opt.)" for an optimistic unchoke
        AmInterestedColumn,   // "We are interested": "yes" / "no"
        PeerChokingColumn,    // "They choke us": "yes" / "no"
        PeerInterestedColumn, // "They are interested": "yes" / "no"
        DownloadRateColumn,   // from them
        UploadRateColumn,     // to them
        RequestsOutColumn,    // our requests in flight to them
        RequestsInColumn,     // their requests waiting on us
        RttColumn,            // milliseconds
        ColumnCount
    };
    // Raw values behind the text: the remote's lab id (or -1), the connection id, the number behind a rate,
    // count or RTT column, the flag behind a flag column.
    static constexpr int RemotePeerRole = Qt::UserRole + 1;
    static constexpr int ConnectionIdRole = Qt::UserRole + 2;
    static constexpr int ValueRole = Qt::UserRole + 3;

    explicit ConnectionTableModel(QObject* parent = nullptr);

    // The peer whose connections are shown; 0: none (no rows).
    void setPeer(int peerId);
    int peer() const { return m_peer; }
    void setSnapshot(const swarmscope::SwarmSnapshotPtr& snapshot);

    // The lab id of the remote of a row, -1 when not a lab peer or out of range.
    int remotePeerAt(int row) const;
    quint64 connectionIdAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void sync();

    SwarmSnapshotPtr m_snapshot;
    int m_peer = 0;
    std::vector<LabConnectionSnapshot> m_rows;
};

} // namespace swarmscope::ui
