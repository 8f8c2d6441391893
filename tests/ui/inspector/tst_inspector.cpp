// The peer inspector and its models (connection table, event log and its filter), run through
// QAbstractItemModelTester and fed hand-built snapshots, with the signals a view depends on checked.
#include "SnapshotFixtures.h"
#include "inspector/ConnectionTableModel.h"
#include "inspector/EventLogFilterModel.h"
#include "inspector/EventLogModel.h"
#include "inspector/PeerInspector.h"
#include "piecemap/PieceMapWidget.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTableView>
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

    void eventLog_readsAsSentencesWithADirection() {
        EventLogModel model;
        SwarmEvent connected = logEvent(2, PeerEventKind::Connected, 4);
        connected.event.outgoing = false; // #4 dialled #2
        SwarmEvent outside = logEvent(2, PeerEventKind::Disconnected, -1, -1, QStringLiteral("timed out"));
        outside.event.address = QHostAddress(QStringLiteral("10.0.0.9"));
        outside.event.port = 6881;
        model.appendEvents({logEvent(7, PeerEventKind::Have, 9, 51),
                            logEvent(3, PeerEventKind::Unchoked, 5, -1, QStringLiteral("regular")),
                            logEvent(3, PeerEventKind::PeerChoked, 5), connected, outside,
                            logEvent(6, PeerEventKind::PieceVerified, 1, 12),
                            logEvent(6, PeerEventKind::Completed)});
        auto what = [&](int row) { return model.index(row, EventLogModel::WhatColumn).data().toString(); };
        QCOMPARE(what(0), QStringLiteral("#9 → #7: have piece 51"));
        QCOMPARE(what(1), QStringLiteral("#3 unchoked #5 (regular)"));
        QCOMPARE(what(2), QStringLiteral("#5 choked #3"));
        QCOMPARE(what(3), QStringLiteral("#4 connected to #2"));
        QCOMPARE(what(4), QStringLiteral("#2 disconnected from 10.0.0.9:6881 (timed out)"));
        QCOMPARE(what(5), QStringLiteral("#6 verified piece 12, mostly from #1"));
        QCOMPARE(what(6), QStringLiteral("#6 has every piece: download complete"));
        // However narrow the column, the whole sentence is in the tooltip.
        QVERIFY(model.index(1, EventLogModel::WhatColumn).data(Qt::ToolTipRole).toString().endsWith(what(1)));
        QVERIFY(model.index(1, EventLogModel::TimeColumn).data(Qt::ToolTipRole).toString().endsWith(what(1)));
    }

    void inspector_logShowsSentencesThatFitOrElideWithATooltip() {
        PeerInspector inspector;
        inspector.setRefreshIntervalMs(0);
        inspector.resize(700, 240);
        inspector.show();
        QVERIFY(QTest::qWaitForWindowExposed(&inspector));
        inspector.setShowAllPeers(true);
        inspector.appendEvents({logEvent(3, PeerEventKind::Unchoked, 5, -1, QStringLiteral("optimistic"))});
        QTableView* log = inspector.logView();
        // Time and sentence only; the parts are hidden, not squeezed.
        int shown = 0;
        for (int column = 0; column < EventLogModel::ColumnCount; ++column)
            shown += log->isColumnHidden(column) ? 0 : 1;
        QCOMPARE(shown, 2);
        QVERIFY(!log->isColumnHidden(EventLogModel::WhatColumn));
        const QFontMetrics metrics = log->fontMetrics();
        QVERIFY(log->columnWidth(EventLogModel::TimeColumn) >=
                metrics.horizontalAdvance(QStringLiteral("00:01.003")));
        QVERIFY(log->columnWidth(EventLogModel::WhatColumn) >=
                metrics.horizontalAdvance(QStringLiteral("#3 unchoked #5 (optimistic)")));
        QCOMPARE(log->textElideMode(), Qt::ElideRight);
    }

    void inspector_logFollowsTheShownTorrent() {
        PeerInspector inspector;
        inspector.setRefreshIntervalMs(0);
        SwarmEvent first = logEvent(1, PeerEventKind::Have, 2, 1);
        SwarmEvent second = logEvent(7, PeerEventKind::Have, 8, 2);
        second.torrent = 2;
        inspector.appendEvents({first, first, second});
        inspector.setShowAllPeers(true);
        inspector.setTorrent(1);
        QCOMPARE(inspector.eventLogFilter()->rowCount(), 2);
        inspector.setTorrent(2);
        QCOMPARE(inspector.eventLogFilter()->rowCount(), 1);
        QCOMPARE(inspector.eventLogFilter()->index(0, EventLogModel::WhatColumn).data().toString(),
                 QStringLiteral("#8 → #7: have piece 2"));
        // And back: the first torrent's history is still there.
        inspector.setTorrent(1);
        QCOMPARE(inspector.eventLogFilter()->rowCount(), 2);
    }

    void inspector_summaryReadsTheSnapshotThePieceMapShows() {
        PeerInspector inspector; // at its usual pace: tables four times a second
        PieceMapWidget map;
        inspector.setSelectedPeer(2);
        for (int i = 0; i < 5; ++i) {
            LabPeerSnapshot p = peer(2, TorrentRole::Leecher, i < 3 ? "1000000000" : "1111100000");
            p.downloadRate = 1024 * (73 + 73 * i);
            const SwarmSnapshotPtr s = snapshot(i * 100, {p});
            map.setSnapshot(s);
            inspector.setSnapshot(s);
        }
        QCOMPARE(inspector.summarySequence(), map.shownSequence());
        QCOMPARE(map.shownProgress(2), 0.5);
        QVERIFY2(inspector.summaryText().contains(QStringLiteral("50.0 %")),
                 qPrintable(inspector.summaryText()));
        QVERIFY2(inspector.summaryText().contains(QStringLiteral("↓ 365.0 KiB/s")),
                 qPrintable(inspector.summaryText()));
    }

    void inspector_aKilledPeerReadsKilled() {
        PeerInspector inspector;
        LabPeerSnapshot p = peer(4, TorrentRole::Leecher, "1111");
        p.state = LabPeerState::Stopped;
        inspector.setSelectedPeer(4);
        inspector.setSnapshot(snapshot(0, {p}));
        QVERIFY2(inspector.summaryText().contains(QStringLiteral("killed")),
                 qPrintable(inspector.summaryText()));
        QVERIFY(!inspector.summaryText().contains(QStringLiteral("seeding")));
    }
};

QTEST_MAIN(TestInspector)
#include "tst_inspector.moc"
