#pragma once

#include "swarm/SwarmEvent.h"
#include "swarm/SwarmSnapshot.h"

#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QSplitter;
class QTableView;

namespace swarmscope::ui {

class ConnectionTableModel;
class EventLogFilterModel;
class EventLogModel;

// The selected peer up close: a summary line, a table of its connections (flags spelled out, rates,
// requests in flight, RTT), and the lab's event log as sentences, filtered to the shown torrent and to that
// peer (or every peer of the torrent), by kind and by text. The log keeps every peer's events, bounded, so
// switching peers or torrents shows their history at once. The summary follows every snapshot, so it reads
// the same figures as the piece map beside it; the tables refresh a few times a second, not at the
// snapshot rate; selecting a peer refreshes at once.
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
    // The torrent whose events the log shows; 0: every torrent's.
    void setTorrent(int torrent);

    // What the summary line says, and the sequence number of the snapshot it was read from.
    QString summaryText() const;
    quint64 summarySequence() const { return m_summarySequence; }

    ConnectionTableModel* connectionModel() const { return m_connections; }
    EventLogModel* eventLogModel() const { return m_log; }
    EventLogFilterModel* eventLogFilter() const { return m_filter; }

    // The width the connection table's columns take together.
    int connectionTableWidth() const;

    // The table views, for tests of what fits.
    QTableView* connectionView() const { return m_connectionView; }
    QTableView* logView() const { return m_logView; }
    QWidget* logFilterRow() const { return m_filterRow; }
    // Whether the log's filters take two lines (the text filter over the others) to leave the connection
    // table the width its columns need.
    bool filtersOnTwoLines() const { return m_filtersOnTwoLines; }

signals:
    // Double-clicking a connection to another lab peer, or an event, selects the other peer.
    void peerSelected(int peerId);

protected:
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void fitColumns();
    // Shares the width between the connection table and the log.
    void shareWidth();
    void arrangeFilters(bool twoLines);
    int oneLineFilterWidth() const;
    void updateSummary();
    void scheduleFlush();

    SwarmSnapshotPtr m_snapshot;
    bool m_snapshotPending = false;
    quint64 m_summarySequence = 0;
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
    QWidget* m_filterRow = nullptr;
    QGridLayout* m_filterLayout = nullptr;
    bool m_filtersOnTwoLines = false;
};

} // namespace swarmscope::ui
