// The peer inspector and its models (connection table, event log and its filter), run through
// QAbstractItemModelTester and fed hand-built snapshots, with the signals a view depends on checked.
#include "SnapshotFixtures.h"
#include "inspector/ConnectionTableModel.h"
#include "inspector/EventLogFilterModel.h"
#include "inspector/EventLogModel.h"
#include "inspector/PeerInspector.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::testsupport;
using namespace swarmscope::ui;

class TestInspector : public QObject {
    Q_OBJECT
private slots:
    void connectionTable_spellsOutFlagsAndRemotes() {
        ConnectionTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        LabConnectionSnapshot lab = connection(1, 2, 2048, 0);
        lab.info.amChoking = false;
        lab.info.amInterested = true;
        lab.info.peerChoking = false;
        lab.info.peerInterested = true;
        lab.info.requestsOut = 5;
        lab.info.requestsIn = 3;
        lab.info.rttMs = 42;
        LabConnectionSnapshot outside = connection(2, -1);
        outside.info.address = QHostAddress(QStringLiteral("10.0.0.9"));
        outside.info.port = 6881;
        model.setSnapshot(snapshot(0, {peerWith(1, TorrentRole::Leecher, "0000", {lab, outside})}));
        QCOMPARE(model.rowCount(), 0); // no peer chosen yet
        model.setPeer(1);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), int(ConnectionTableModel::ColumnCount));

        auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
        QCOMPARE(text(0, ConnectionTableModel::RemoteColumn), QStringLiteral("#2"));
        QCOMPARE(text(1, ConnectionTableModel::RemoteColumn), QStringLiteral("10.0.0.9:6881"));
        // Each flag's header says it as a statement; the cells answer it, with the sentence as a tooltip.
        auto header = [&](int column) { return model.headerData(column, Qt::Horizontal).toString(); };
        QCOMPARE(header(ConnectionTableModel::AmChokingColumn), QStringLiteral("We choke\nthem"));
        QCOMPARE(header(ConnectionTableModel::AmInterestedColumn), QStringLiteral("We are\ninterested"));
        QCOMPARE(header(ConnectionTableModel::PeerChokingColumn), QStringLiteral("They\nchoke us"));
        QCOMPARE(header(ConnectionTableModel::PeerInterestedColumn), QStringLiteral("They are\ninterested"));
        QCOMPARE(text(0, ConnectionTableModel::AmChokingColumn), QStringLiteral("no"));
        QCOMPARE(text(1, ConnectionTableModel::AmChokingColumn), QStringLiteral("yes"));
        QCOMPARE(text(0, ConnectionTableModel::AmInterestedColumn), QStringLiteral("yes"));
        QCOMPARE(text(1, ConnectionTableModel::AmInterestedColumn), QStringLiteral("no"));
        QCOMPARE(text(0, ConnectionTableModel::PeerChokingColumn), QStringLiteral("no"));
        QCOMPARE(text(1, ConnectionTableModel::PeerChokingColumn), QStringLiteral("yes"));
        QCOMPARE(text(0, ConnectionTableModel::PeerInterestedColumn), QStringLiteral("yes"));
        QCOMPARE(text(1, ConnectionTableModel::PeerInterestedColumn), QStringLiteral("no"));
        QCOMPARE(model.index(0, ConnectionTableModel::AmChokingColumn).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("We unchoke them: they may request data from us"));
        QCOMPARE(model.index(1, ConnectionTableModel::PeerInterestedColumn).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("They are not interested: we have nothing they lack"));
        QCOMPARE(text(0, ConnectionTableModel::DownloadRateColumn), QStringLiteral("2.00 KiB/s"));
        QCOMPARE(text(0, ConnectionTableModel::RequestsOutColumn), QStringLiteral("5"));
        QCOMPARE(text(0, ConnectionTableModel::RequestsInColumn), QStringLiteral("3"));
        QCOMPARE(text(0, ConnectionTableModel::RttColumn), QStringLiteral("42"));
        QCOMPARE(text(1, ConnectionTableModel::RttColumn), QStringLiteral("—"));
        QCOMPARE(
            model.index(0, ConnectionTableModel::DownloadRateColumn).data(ConnectionTableModel::ValueRole),
            QVariant(qint64(2048)));
        QCOMPARE(model.remotePeerAt(0), 2);
        QCOMPARE(model.remotePeerAt(1), -1);
    }

    void connectionTable_sameConnectionsChangeInPlace() {
        ConnectionTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPeer(1);
        const QList<LabConnectionSnapshot> first = {connection(1, 2), connection(2, 3), connection(3, 4)};
        model.setSnapshot(snapshot(0, {peerWith(1, TorrentRole::Leecher, "00", first)}));
        QCOMPARE(model.rowCount(), 3);

        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        // Nothing changed: nothing to repaint.
        model.setSnapshot(snapshot(100, {peerWith(1, TorrentRole::Leecher, "00", first)}));
        QCOMPARE(changed.count(), 0);

        // Only the middle row's rate moved: one dataChanged over exactly that row.
        QList<LabConnectionSnapshot> second = first;
        second[1].info.downloadRate = 999;
        model.setSnapshot(snapshot(200, {peerWith(1, TorrentRole::Leecher, "00", second)}));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed[0][0].toModelIndex().row(), 1);
        QCOMPARE(changed[0][1].toModelIndex().row(), 1);
        QCOMPARE(changed[0][1].toModelIndex().column(), ConnectionTableModel::ColumnCount - 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(removed.count(), 0);

        // One closes, one opens: a removal and an append, the survivors keep their order.
        QList<LabConnectionSnapshot> third = {second[0], second[2], connection(9, 7)};
        model.setSnapshot(snapshot(300, {peerWith(1, TorrentRole::Leecher, "00", third)}));
        QCOMPARE(reset.count(), 0);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.connectionIdAt(0), quint64(1));
        QCOMPARE(model.connectionIdAt(1), quint64(3));
        QCOMPARE(model.connectionIdAt(2), quint64(9));

        // The peer goes away: no rows.
        model.setSnapshot(snapshot(400, {}));
        QCOMPARE(model.rowCount(), 0);
        // Another peer: a reset to its rows.
        model.setSnapshot(snapshot(500, {peerWith(1, TorrentRole::Leecher, "00", first),
                                         peerWith(2, TorrentRole::Leecher, "00", {connection(4, 1)})}));
        model.setPeer(2);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.remotePeerAt(0), 1);
    }

    void eventLog_isBoundedAndDropsOldest() {
        EventLogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCapacity(5);
        QList<SwarmEvent> batch;
        for (int piece = 0; piece < 3; ++piece)
            batch.append(logEvent(1, PeerEventKind::PieceVerified, -1, piece));
        model.appendEvents(batch);
        QCOMPARE(model.rowCount(), 3);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        batch.clear();
        for (int piece = 3; piece < 8; ++piece)
            batch.append(logEvent(1, PeerEventKind::PieceVerified, -1, piece));
        model.appendEvents(batch);
        QCOMPARE(inserted.count(), 1); // one signal per batch, not per event
        QCOMPARE(removed.count(), 1);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.droppedCount(), qint64(3));
        QCOMPARE(model.index(0, EventLogModel::PieceColumn).data().toString(), QStringLiteral("3"));
        QCOMPARE(model.index(4, EventLogModel::PieceColumn).data().toString(), QStringLiteral("7"));

        // A batch bigger than the log keeps its newest events.
        batch.clear();
        for (int piece = 100; piece < 112; ++piece)
            batch.append(logEvent(2, PeerEventKind::Have, 1, piece));
        model.appendEvents(batch);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.index(0, EventLogModel::PieceColumn).data().toString(), QStringLiteral("107"));
        QCOMPARE(model.index(0, EventLogModel::RemoteColumn).data().toString(), QStringLiteral("#1"));
        QCOMPARE(model.index(0, EventLogModel::KindColumn).data().toString(), QStringLiteral("have"));
        QCOMPARE(model.index(0, EventLogModel::PeerColumn).data().toString(), QStringLiteral("#2"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void eventLogFilter_byPeerKindAndText() {
        EventLogModel log;
        EventLogFilterModel filter;
        filter.setSourceModel(&log);
        QAbstractItemModelTester logTester(&log, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        log.appendEvents({logEvent(1, PeerEventKind::Connected, 2, -1, QStringLiteral("outgoing")),
                          logEvent(1, PeerEventKind::PieceVerified, -1, 4),
                          logEvent(2, PeerEventKind::Disconnected, 1, -1, QStringLiteral("peer closed")),
                          logEvent(3, PeerEventKind::PeerBanned, 1, -1, QStringLiteral("bad data"))});
        QCOMPARE(filter.rowCount(), 4);
        filter.setPeer(1);
        QCOMPARE(filter.rowCount(), 2);
        filter.setKind(PeerEventKind::PieceVerified);
        QCOMPARE(filter.rowCount(), 1);
        QCOMPARE(filter.index(0, EventLogModel::PieceColumn).data().toString(), QStringLiteral("4"));
        filter.setPeer(0);
        filter.setKind(std::nullopt);
        filter.setText(QStringLiteral("BAD"));
        QCOMPARE(filter.rowCount(), 1);
        QCOMPARE(filter.index(0, EventLogModel::PeerColumn).data().toString(), QStringLiteral("#3"));
        filter.setText({});
        // New events pass through the filter as they arrive.
        filter.setPeer(2);
        log.appendEvents({logEvent(2, PeerEventKind::Choked), logEvent(1, PeerEventKind::Choked)});
        QCOMPARE(filter.rowCount(), 2);
    }

    void inspector_followsTheSelectedPeer() {
        PeerInspector inspector;
        inspector.setRefreshIntervalMs(0);
        LabPeerSnapshot a = peer(1, TorrentRole::Seeder, "11");
        a.connections = {link(2, false, 100), link(3, true, 0)};
        LabPeerSnapshot b = peer(2, TorrentRole::Leecher, "01");
        b.connections = {link(1, true, 0, false, 100)};
        inspector.setSnapshot(snapshot(0, {a, b}));
        QCOMPARE(inspector.connectionModel()->rowCount(), 0);
        inspector.setSelectedPeer(1);
        QCOMPARE(inspector.connectionModel()->rowCount(), 2);
        inspector.setSelectedPeer(2);
        QCOMPARE(inspector.connectionModel()->rowCount(), 1);

        SwarmEvent e1;
        e1.peer = 1;
        e1.event.kind = PeerEventKind::Unchoked;
        SwarmEvent e2;
        e2.peer = 2;
        e2.event.kind = PeerEventKind::PieceVerified;
        e2.event.piece = 1;
        inspector.appendEvents({e1, e2, e2});
        QCOMPARE(inspector.eventLogModel()->rowCount(), 3);
        QCOMPARE(inspector.eventLogFilter()->rowCount(), 2); // peer 2's only
        inspector.setShowAllPeers(true);
        QCOMPARE(inspector.eventLogFilter()->rowCount(), 3);
        inspector.setEventLogCapacity(2);
        QCOMPARE(inspector.eventLogModel()->rowCount(), 2);
    }

    void inspector_refreshesAFewTimesASecond() {
        PeerInspector inspector;
        inspector.setRefreshIntervalMs(100);
        LabPeerSnapshot a = peer(1, TorrentRole::Seeder, "11");
        a.connections = {link(2, false, 100)};
        inspector.setSnapshot(snapshot(0, {a}));
        inspector.setSelectedPeer(1); // selecting applies at once
        QCOMPARE(inspector.connectionModel()->rowCount(), 1);
        a.connections.append(link(3, true, 0));
        inspector.setSnapshot(snapshot(100, {a}));
        SwarmEvent e;
        e.peer = 1;
        inspector.appendEvents({e});
        QCOMPARE(inspector.connectionModel()->rowCount(), 1); // not yet
        QCOMPARE(inspector.eventLogModel()->rowCount(), 0);
        QTRY_COMPARE(inspector.connectionModel()->rowCount(), 2);
        QCOMPARE(inspector.eventLogModel()->rowCount(), 1);
    }
};

QTEST_MAIN(TestInspector)
#include "tst_inspector.moc"
