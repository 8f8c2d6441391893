// File > Observe Swarm…: the dialog's checks, and what the observer's rows say and highlight.
#include "observe/ObserveDialog.h"
#include "observe/ObservedPeersView.h"

#include "TestSupport.h"

#include <QTemporaryDir>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::ui;

class ObserveUiTest : public QObject {
    Q_OBJECT
private slots:
    void dialog_refusesWhatCannotBeObserved_data();
    void dialog_refusesWhatCannotBeObserved();
    void dialog_takesAMagnetWithATracker();
    void rows_sayWhatIsKnownAndMarkEstimates();
};

void ObserveUiTest::dialog_refusesWhatCannotBeObserved_data() {
    QTest::addColumn<QString>("torrent");
    QTest::addColumn<QString>("magnet");
    QTest::addColumn<QString>("tracker");
    QTest::addColumn<QString>("listen");
    QTest::addColumn<QString>("error");
    const QString hash = QString(40, u'a');
    QTest::newRow("nothing") << QString() << QString() << QString() << QStringLiteral("127.0.0.1:0")
                             << QStringLiteral("Choose a .torrent file");
    QTest::newRow("missing file") << QStringLiteral("/nonexistent/x.torrent") << QString() << QString()
                                  << QStringLiteral("127.0.0.1:0")
                                  << QStringLiteral("/nonexistent/x.torrent");
    QTest::newRow("bad magnet") << QString() << QStringLiteral("magnet:?dn=only-a-name") << QString()
                                << QStringLiteral("127.0.0.1:0")
                                << QStringLiteral("magnet link cannot be used");
    QTest::newRow("magnet with nowhere to ask")
        << QString() << QStringLiteral("magnet:?xt=urn:btih:") + hash << QString()
        << QStringLiteral("127.0.0.1:0") << QStringLiteral("give a tracker");
    QTest::newRow("bad tracker") << QString() << QStringLiteral("magnet:?xt=urn:btih:") + hash
                                 << QStringLiteral("ftp://example/announce") << QStringLiteral("127.0.0.1:0")
                                 << QStringLiteral("not an http:// or udp:// tracker URL");
    QTest::newRow("bad listen") << QString() << QStringLiteral("magnet:?xt=urn:btih:") + hash
                                << QStringLiteral("http://127.0.0.1:6969/announce") << QStringLiteral("here")
                                << QStringLiteral("not HOST:PORT");
}

void ObserveUiTest::dialog_refusesWhatCannotBeObserved() {
    QFETCH(QString, torrent);
    QFETCH(QString, magnet);
    QFETCH(QString, tracker);
    QFETCH(QString, listen);
    QFETCH(QString, error);
    ObserveDialog dialog;
    if (!magnet.isEmpty())
        dialog.setMagnet(magnet);
    else
        dialog.setTorrentFile(torrent);
    dialog.setTracker(tracker);
    dialog.setListen(listen);
    const QString said = dialog.validate();
    QVERIFY2(said.contains(error), qPrintable(said));
}

void ObserveUiTest::dialog_takesAMagnetWithATracker() {
    ObserveDialog dialog;
    dialog.setMagnet(QStringLiteral("magnet:?xt=urn:btih:") + QString(40, u'b') +
                     QStringLiteral("&tr=http%3A%2F%2F10.77.0.1%3A6969%2Fannounce&x.pe=10.77.0.4:51413"));
    dialog.setListen(QStringLiteral("10.77.0.1:6882"));
    QCOMPARE(dialog.validate(), QString());
    QCOMPARE(dialog.params().infoHash, QByteArray::fromHex(QByteArray(40, 'b')));
    QCOMPARE(dialog.params().trackers, QStringList{QStringLiteral("http://10.77.0.1:6969/announce")});
    QCOMPARE(dialog.params().peers.size(), 1);
    QCOMPARE(dialog.params().peers.first().second, quint16(51413));
    QCOMPARE(dialog.listenAddress(), QHostAddress(QStringLiteral("10.77.0.1")));
    QCOMPARE(dialog.listenPort(), quint16(6882));
}

void ObserveUiTest::rows_sayWhatIsKnownAndMarkEstimates() {
    ObservedPeer peer;
    peer.address = QHostAddress(QStringLiteral("10.77.0.4"));
    peer.port = 51413;
    peer.client = QStringLiteral("Transmission 3.00");
    peer.pieces = Bitfield(8);
    peer.pieces.setBit(0);
    peer.pieces.setBit(1);
    peer.connected = true;
    QVERIFY(ObservedPeersView::rowLabel(peer, 8).contains(QStringLiteral("≈ …"))); // no estimate yet
    peer.rateKnown = true;
    peer.estimatedRate = 1024 * 1024;
    const QString label = ObservedPeersView::rowLabel(peer, 8);
    QVERIFY2(label.contains(QStringLiteral("Transmission 3.00")) && label.contains(QStringLiteral("25.0%")) &&
                 label.contains(QStringLiteral("≈1.00 MiB/s")),
             qPrintable(label));
    peer.connected = false;
    QVERIFY(ObservedPeersView::rowLabel(peer, 8).contains(QStringLiteral("gone")));

    // A row grows a highlight for what it announced since the observation before, and only for that.
    ObservedPeersView view;
    view.resize(900, 120);
    SwarmObservation seen;
    seen.pieceCount = 8;
    peer.connected = true;
    seen.peers = {peer};
    view.setObservation(seen);
    seen.peers[0].pieces.setBit(5);
    view.setObservation(seen);
    const Bitfield arrived = view.arrivedOf(seen.peers[0]);
    QCOMPARE(arrived.count(), 1);
    QVERIFY(arrived.testBit(5));
    view.setObservation(seen); // nothing new
    QCOMPARE(view.arrivedOf(seen.peers[0]).count(), 0);
}

QTEST_MAIN(ObserveUiTest)
#include "tst_observe_ui.moc"
