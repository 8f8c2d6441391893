// The view models (connection table, event log and its filter, peer list), each run through
// QAbstractItemModelTester and fed hand-built snapshots, with the signals a view depends on checked.
#include "inspector/ConnectionTableModel.h"
#include "inspector/EventLogFilterModel.h"
#include "inspector/EventLogModel.h"
#include "shared/PeerListModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::ui;

namespace {

Bitfield bits(const char* pattern) {
    const int n = int(qstrlen(pattern));
    Bitfield b(n);
    for (int i = 0; i < n; ++i)
        if (pattern[i] == '1')
            b.setBit(i);
    return b;
}

LabConnectionSnapshot connection(quint64 id, int remote, qint64 down = 0, qint64 up = 0) {
    LabConnectionSnapshot c;
    c.remotePeer = remote;
    c.info.id = id;
    c.info.address = QHostAddress(QStringLiteral("127.0.0.1"));
    c.info.port = quint16(40000 + id);
    c.info.downloadRate = down;
    c.info.uploadRate = up;
    return c;
}

LabPeerSnapshot peer(int id, TorrentRole role, const char* have,
                     QList<LabConnectionSnapshot> connections = {}) {
    LabPeerSnapshot p;
    p.id = id;
    p.torrent = 1;
    p.role = role;
    p.have = bits(have);
    p.pieceCount = p.have.size();
    p.state = p.isComplete() ? LabPeerState::Seeding : LabPeerState::Downloading;
    p.connections = std::move(connections);
    p.connectionCount = int(p.connections.size());
    return p;
}

SwarmSnapshotPtr snapshot(qint64 timeMs, QList<LabPeerSnapshot> peers) {
    auto s = std::make_shared<SwarmSnapshot>();
    s->timeMs = timeMs;
    s->peers = std::move(peers);
    return s;
}

SwarmEvent logEvent(int peerId, PeerEventKind kind, int remote = -1, int piece = -1,
                    const QString& reason = {}) {
    SwarmEvent e;
    e.peer = peerId;
    e.torrent = 1;
    e.remotePeer = remote;
    e.timeMs = 1000 + peerId;
    e.event.kind = kind;
    e.event.piece = piece;
    e.event.reason = reason;
    return e;
}

} // namespace

class TestViewModels : public QObject {
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
        model.setSnapshot(snapshot(0, {peer(1, TorrentRole::Leecher, "0000", {lab, outside})}));
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
        model.setSnapshot(snapshot(0, {peer(1, TorrentRole::Leecher, "00", first)}));
        QCOMPARE(model.rowCount(), 3);

        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        // Nothing changed: nothing to repaint.
        model.setSnapshot(snapshot(100, {peer(1, TorrentRole::Leecher, "00", first)}));
        QCOMPARE(changed.count(), 0);

        // Only the middle row's rate moved: one dataChanged over exactly that row.
        QList<LabConnectionSnapshot> second = first;
        second[1].info.downloadRate = 999;
        model.setSnapshot(snapshot(200, {peer(1, TorrentRole::Leecher, "00", second)}));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed[0][0].toModelIndex().row(), 1);
        QCOMPARE(changed[0][1].toModelIndex().row(), 1);
        QCOMPARE(changed[0][1].toModelIndex().column(), ConnectionTableModel::ColumnCount - 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(removed.count(), 0);

        // One closes, one opens: a removal and an append, the survivors keep their order.
        QList<LabConnectionSnapshot> third = {second[0], second[2], connection(9, 7)};
        model.setSnapshot(snapshot(300, {peer(1, TorrentRole::Leecher, "00", third)}));
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
        model.setSnapshot(snapshot(500, {peer(1, TorrentRole::Leecher, "00", first),
                                         peer(2, TorrentRole::Leecher, "00", {connection(4, 1)})}));
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

    void peerList_keyedByIdWithoutResets() {
        PeerListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(
            snapshot(0, {peer(1, TorrentRole::Seeder, "1111"), peer(2, TorrentRole::Leecher, "0000"),
                         peer(3, TorrentRole::Leecher, "0000")}));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, PeerListModel::NameColumn).data().toString(), QStringLiteral("#1 seeder"));
        QCOMPARE(model.index(1, PeerListModel::NameColumn).data().toString(), QStringLiteral("#2 leecher"));
        QCOMPARE(model.index(0, PeerListModel::StateColumn).data().toString(), QStringLiteral("seeding"));

        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setSnapshot(
            snapshot(100, {peer(1, TorrentRole::Seeder, "1111"), peer(2, TorrentRole::Leecher, "0000"),
                           peer(3, TorrentRole::Leecher, "1100")}));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed[0][0].toModelIndex().row(), 2);
        QCOMPARE(model.index(2, PeerListModel::ProgressColumn).data().toString(), QStringLiteral("50.0 %"));

        // Peer 2 removed, peer 4 added.
        model.setSnapshot(
            snapshot(200, {peer(1, TorrentRole::Seeder, "1111"), peer(3, TorrentRole::Leecher, "1100"),
                           peer(4, TorrentRole::Leecher, "0000")}));
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.peerIdAt(1), 3);
        QCOMPARE(model.rowOfPeer(4), 2);
        QCOMPARE(model.rowOfPeer(2), -1);
        model.setSnapshot(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestViewModels)
#include "tst_views_models.moc"
