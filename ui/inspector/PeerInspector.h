#pragma once

#include "swarm/SwarmEvent.h"
#include "swarm/SwarmSnapshot.h"

#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSplitter;
class QTableView;

namespace swarmscope::ui {

class ConnectionTableModel;
class EventLogFilterModel;
class EventLogModel;

// The selected peer up close: a summary line, a table of its connections (flags spelled out, rates,
// requests in flight, RTT), and the lab's event log filtered to that peer (or every peer), by kind and by
// text. The log keeps every peer's events, bounded, so switching peers shows their history at once. Tables
// refresh a few times a second, not at the snapshot rate; selecting a peer refreshes at once.
class PeerInspector : public QWidget {
    Q_OBJECT
public:
    explicit PeerInspector(QWidget* parent = nullptr);
    ~PeerInspector() override;

    void setSnapshot(const swarmscope::SwarmSnapshotPtr& snapshot);
    // 0: none.
    void setSelectedPeer(int peerId);
    int selectedPeer() const { return m_selectedPeer; }
    void appendEvents(const QList<swarmscope::SwarmEvent>& events);

    // The tables take new snapshots and events at most this often (default 250 ms; 0: at once). Numbers that
    // change ten times a second cannot be read anyway, and a table repaint is dear.
    void setRefreshIntervalMs(int ms);
    int refreshIntervalMs() const { return m_refreshMs; }
    // Applies whatever is waiting for the next refresh now.
    void flush();

    // Log rows kept (default EventLogModel::kDefaultCapacity).
    void setEventLogCapacity(int rows);
    // true: the log shows every peer's events, not only the selected peer's.
    void setShowAllPeers(bool all);

    ConnectionTableModel* connectionModel() const { return m_connections; }
    EventLogModel* eventLogModel() const { return m_log; }
    EventLogFilterModel* eventLogFilter() const { return m_filter; }

    // The width the connection table's columns take together.
    int connectionTableWidth() const;

signals:
    // Double-clicking a connection to another lab peer, or an event's remote, selects that peer.
    void peerSelected(int peerId);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void fitColumns();
    void updatePeerColumn();
    void updateSummary();
    void scheduleFlush();

    SwarmSnapshotPtr m_snapshot;
    bool m_snapshotPending = false;
    QList<SwarmEvent> m_pendingEvents;
    int m_refreshMs = 250;
    QTimer m_flushTimer;
    int m_selectedPeer = 0;
    ConnectionTableModel* m_connections = nullptr;
    EventLogModel* m_log = nullptr;
    EventLogFilterModel* m_filter = nullptr;
    QLabel* m_summary = nullptr;
    QTableView* m_connectionView = nullptr;
    QTableView* m_logView = nullptr;
    QSplitter* m_splitter = nullptr;
    QLineEdit* m_search = nullptr;
    QComboBox* m_kindBox = nullptr;
    QCheckBox* m_allPeers = nullptr;
};

} // namespace swarmscope::ui
