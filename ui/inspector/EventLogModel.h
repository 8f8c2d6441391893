#pragma once

#include "swarm/SwarmEvent.h"

#include <QAbstractTableModel>
#include <QList>

#include <deque>

namespace swarmscope::ui {

// The lab's event log: every SwarmEvent handed to it, oldest first, bounded. When full, each batch drops the
// oldest rows first (one rowsRemoved) and then appends (one rowsInserted), so a busy swarm costs two model
// signals per snapshot, not one per event. Each event reads as a sentence with a direction ("#9 → #7: have
// piece 51", "#3 unchoked #5 (regular)"); the other columns hold its parts, for filtering and sorting.
class EventLogModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        TimeColumn,
        PeerColumn,
        KindColumn,
        RemoteColumn,
        PieceColumn,
        ReasonColumn,
        WhatColumn, // the whole event as a sentence
        ColumnCount
    };
    // PeerRole: the lab peer that reported it (int); KindRole: the PeerEventKind as int; RemotePeerRole: the
    // lab id of the other end or -1; TimeRole: lab ms; TorrentRole: the lab torrent.
    static constexpr int PeerRole = Qt::UserRole + 1;
    static constexpr int KindRole = Qt::UserRole + 2;
    static constexpr int RemotePeerRole = Qt::UserRole + 3;
    static constexpr int TimeRole = Qt::UserRole + 4;
    static constexpr int TorrentRole = Qt::UserRole + 5;

    static constexpr int kDefaultCapacity = 20000;

    explicit EventLogModel(QObject* parent = nullptr);

    void appendEvents(const QList<swarmscope::SwarmEvent>& events);
    void clear();
    void setCapacity(int rows); // at least 1; drops the oldest rows over it
    int capacity() const { return m_capacity; }
    // Rows dropped to stay within capacity since the last clear().
    qint64 droppedCount() const { return m_dropped; }

    const SwarmEvent& eventAt(int row) const { return m_events[size_t(row)]; }

    // The event as a sentence, who did what to whom: "#3 unchoked #5 (regular)".
    static QString sentence(const SwarmEvent& event);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void dropOldest(int count);

    std::deque<SwarmEvent> m_events;
    int m_capacity = kDefaultCapacity;
    qint64 m_dropped = 0;
};

} // namespace swarmscope::ui
