// The who-sent-what matrix: its cells are the growth of the senders' per-connection byte counters between
// snapshots, summed over the charts' time window; the widget colours them on a heat scale, tells their exact
// figures on hover and selects the pair on a click.
#include "matrix/TransferMatrix.h"
#include "matrix/TransferMatrixWidget.h"
#include "shared/PeerSelection.h"

#include "SnapshotFixtures.h"

#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::testsupport;
using namespace swarmscope::ui;

namespace {

// One side of a connection between lab peers, with the bytes it has sent over it so far.
LabConnectionSnapshot sent(quint64 id, int remote, qint64 uploaded, qint64 downloaded = 0) {
    LabConnectionSnapshot c = connection(id, remote);
    c.info.uploaded = uploaded;
    c.info.downloaded = downloaded;
    return c;
}

// Three peers: 1 sends to 2 and 3, 2 sends to 3; counters grow by what each step says.
SwarmSnapshotPtr step(qint64 timeMs, qint64 oneToTwo, qint64 oneToThree, qint64 twoToThree) {
    return snapshot(
        timeMs,
        {peerWith(1, TorrentRole::Seeder, "11", {sent(1, 2, oneToTwo), sent(2, 3, oneToThree)}),
         peerWith(2, TorrentRole::Leecher, "10", {sent(1, 1, 0, oneToTwo), sent(2, 3, twoToThree)}),
         peerWith(3, TorrentRole::Leecher, "00", {sent(1, 1, 0, oneToThree), sent(2, 2, 0, twoToThree)})});
}

} // namespace

class TestMatrix : public QObject {
    Q_OBJECT
private slots:
    void cellsSumTheBytesTheSnapshotsCounted() {
        TransferMatrix matrix;
        matrix.setWindowSeconds(0);
        // The first snapshot is the baseline: what was sent before is not counted.
        matrix.add(*step(1000, 500, 0, 0));
        QCOMPARE(matrix.total(), qint64(0));
        matrix.add(*step(1100, 16384, 1000, 0));
        matrix.add(*step(1200, 65536, 1000, 32768));
        QCOMPARE(matrix.bytes(1, 2), qint64(65536 - 500));
        QCOMPARE(matrix.bytes(1, 3), qint64(1000));
        QCOMPARE(matrix.bytes(2, 3), qint64(32768));
        QCOMPARE(matrix.bytes(2, 1), qint64(0)); // nobody sent the seeder anything
        QCOMPARE(matrix.bytes(3, 2), qint64(0));
        // Each byte once: counted at the sender, not again at the receiver.
        QCOMPARE(matrix.total(), qint64(65536 - 500 + 1000 + 32768));
        QCOMPARE(matrix.sentBy(1), qint64(65536 - 500 + 1000));
        QCOMPARE(matrix.receivedBy(3), qint64(1000 + 32768));
        QCOMPARE(matrix.peers(), (QList<int>{1, 2, 3}));
        QCOMPARE(matrix.largestCell(), qint64(65536 - 500));

        // A connection that closed and was opened again starts a new counter: all of it is new.
        auto s = step(1300, 0, 0, 0);
        auto fresh = std::make_shared<SwarmSnapshot>(*s);
        fresh->peers[0].connections = {sent(9, 2, 4096)};
        matrix.add(*fresh);
        QCOMPARE(matrix.bytes(1, 2), qint64(65536 - 500 + 4096));
    }

    void theWindowKeepsOnlyItsSeconds() {
        TransferMatrix matrix;
        matrix.setWindowSeconds(30);
        qint64 counter = 0;
        for (qint64 t = 0; t <= 100'500; t += 500) {
            counter += 1000; // 2000 bytes a second from 1 to 2
            matrix.add(*step(t, counter, 0, 0));
        }
        // The last 30 seconds, whole seconds of lab time: 30 s x 2000 bytes.
        QCOMPARE(matrix.bytes(1, 2), qint64(30 * 2000));
        matrix.setWindowSeconds(0);
        QCOMPARE(matrix.bytes(1, 2), counter - 1000); // all but the baseline
        QCOMPARE(matrix.spanMs(), qint64(100'500));
        matrix.setWindowSeconds(120);
        QCOMPARE(matrix.bytes(1, 2), counter - 1000);
    }

    void widgetColoursTellsAndSelectsThePair() {
        TransferMatrixWidget widget;
        widget.resize(400, 400);
        widget.show();
        QVERIFY(QTest::qWaitForWindowExposed(&widget));
        widget.setWindowSeconds(0);
        widget.setSnapshot(step(0, 0, 0, 0));
        widget.setSnapshot(step(1000, 1024 * 1024, 1024, 0));
        // More bytes, darker; none at all, the background.
        const QColor big = widget.heatColour(widget.matrix().bytes(1, 2));
        const QColor small = widget.heatColour(widget.matrix().bytes(1, 3));
        QVERIFY(big.lightness() < small.lightness());
        QCOMPARE(widget.heatColour(0), widget.palette().color(QPalette::Base));
        const QImage image = widget.grab().toImage();
        QCOMPARE(QColor(image.pixel(widget.cellRect(1, 2).center())), big);
        QCOMPARE(QColor(image.pixel(widget.cellRect(2, 1).center())), widget.heatColour(0));

        const QString tip = widget.cellToolTip(1, 2);
        QVERIFY2(tip.startsWith(QStringLiteral("#1 → #2: 1.0 MiB (%1 bytes) in the whole run")
                                    .arg(QLocale::system().toString(1024 * 1024))),
                 qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("on average 1.0 MiB/s over 1 s")), qPrintable(tip));

        QSignalSpy pair(&widget, &TransferMatrixWidget::pairSelected);
        QTest::mouseClick(&widget, Qt::LeftButton, {}, widget.cellRect(2, 3).center());
        QCOMPARE(pair.count(), 1);
        QCOMPARE(pair[0][0].toInt(), 2);
        QCOMPARE(pair[0][1].toInt(), 3);
        QCOMPARE(widget.selection()->peers(), (QList<int>{2, 3}));
        QCOMPARE(widget.selection()->current(), 2);
        QCOMPARE(widget.cellAt(widget.cellRect(3, 1).center()), std::make_pair(3, 1));
    }
};

QTEST_MAIN(TestMatrix)
#include "tst_matrix.moc"
