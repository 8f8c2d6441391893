#pragma once

#include "swarm/SwarmSnapshot.h"

#include <QAbstractTableModel>

#include <vector>

namespace swarmscope::ui {

// Every lab peer, one row each, from the snapshots: for a peer table or a peer picker. Rows are keyed by peer
// id; unchanged rows send nothing, changed ones one dataChanged per run, new and removed peers insert and
// remove rows, so views keep their selection.
class PeerListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        NameColumn,     // "#3 leecher"
        StateColumn,    // "downloading", "seeding", ...
        ProgressColumn, // "42.0 %"
        DownloadRateColumn,
        UploadRateColumn,
        ConnectionsColumn,
        ColumnCount
    };
    static constexpr int PeerIdRole = Qt::UserRole + 1;
    static constexpr int ValueRole = Qt::UserRole + 2; // the number behind a column (progress 0..1)

    explicit PeerListModel(QObject* parent = nullptr);

    void setSnapshot(const swarmscope::SwarmSnapshotPtr& snapshot);
    int peerIdAt(int row) const;
    int rowOfPeer(int peerId) const; // -1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "#3 leecher" / "#1 seeder".
    static QString peerName(const LabPeerSnapshot& peer);

private:
    std::vector<LabPeerSnapshot> m_rows; // without connections: only what the columns show
};

} // namespace swarmscope::ui
