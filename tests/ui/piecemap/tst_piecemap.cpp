// The piece map renderer, checked pixel by pixel on known bitfields.
#include "piecemap/PieceMapRenderer.h"

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
} // namespace

class TestPieceMap : public QObject {
    Q_OBJECT
private slots:
    void morePixelsThanPiecesStretchesEachPiece() {
        const PieceMapRenderer renderer;
        const PieceMapPalette p = renderer.palette();
        const QImage row = renderer.renderRow(bits("1010"), {}, {}, 8);
        QCOMPARE(row.width(), 8);
        QCOMPARE(row.height(), 1);
        const QRgb expected[8] = {p.have.rgb(), p.have.rgb(), p.missing.rgb(), p.missing.rgb(),
                                  p.have.rgb(), p.have.rgb(), p.missing.rgb(), p.missing.rgb()};
        for (int x = 0; x < 8; ++x)
            QCOMPARE(row.pixel(x, 0), expected[x]);
    }

    void fewerPixelsThanPiecesBlendsByShare() {
        const PieceMapRenderer renderer;
        const PieceMapPalette p = renderer.palette();
        // 8 pieces on 2 pixels: the first covers 4 had pieces, the second 2 of 4.
        const QImage row = renderer.renderRow(bits("11111100"), {}, {}, 2);
        QCOMPARE(row.pixel(0, 0), p.have.rgb());
        const QColor half = QColor::fromRgb(row.pixel(1, 0));
        QVERIFY(qAbs(half.red() - (p.missing.red() + p.have.red()) / 2) <= 1);
        QVERIFY(qAbs(half.green() - (p.missing.green() + p.have.green()) / 2) <= 1);
        QVERIFY(qAbs(half.blue() - (p.missing.blue() + p.have.blue()) / 2) <= 1);
    }

    void downloadingAndArrivedAreDistinct() {
        const PieceMapRenderer renderer;
        const PieceMapPalette p = renderer.palette();
        const QImage row = renderer.renderRow(bits("1100"), bits("0010"), bits("0100"), 4);
        QCOMPARE(row.pixel(0, 0), p.have.rgb());
        QCOMPARE(row.pixel(1, 0), p.arrived.rgb());
        QCOMPARE(row.pixel(2, 0), p.downloading.rgb());
        QCOMPARE(row.pixel(3, 0), p.missing.rgb());
    }

    void everyPieceIsVisibleAtAnyWidth_data() {
        QTest::addColumn<int>("pieces");
        QTest::addColumn<int>("width");
        QTest::newRow("8 on 800") << 8 << 800;
        QTest::newRow("10000 on 700") << 10000 << 700;
        QTest::newRow("4096 on 4096") << 4096 << 4096;
        QTest::newRow("3 on 7") << 3 << 7;
    }

    void everyPieceIsVisibleAtAnyWidth() {
        QFETCH(int, pieces);
        QFETCH(int, width);
        const PieceMapRenderer renderer;
        // A single had piece anywhere changes at least one pixel away from "missing".
        for (int piece : {0, pieces / 2, pieces - 1}) {
            Bitfield have(pieces);
            have.setBit(piece);
            const QImage row = renderer.renderRow(have, {}, {}, width);
            bool changed = false;
            for (int x = 0; x < width; ++x)
                changed |= row.pixel(x, 0) != renderer.palette().missing.rgb();
            QVERIFY2(changed, qPrintable(QStringLiteral("piece %1 invisible").arg(piece)));
            const auto [first, end] = PieceMapRenderer::piecesAt(
                qMin(width - 1, int(qint64(piece) * width / pieces)), width, pieces);
            QVERIFY(first <= piece || end > piece);
        }
    }

    void overlayMarksThePixelsOfEachPiece() {
        const PieceMapRenderer renderer;
        const PieceMapPalette p = renderer.palette();
        // More pixels than pieces: the whole run of the piece.
        QImage wide = renderer.renderRow(bits("1100"), {}, {}, 8);
        PieceMapRenderer::overlayPieces(wide, bits("0100"), qRgb(1, 2, 3));
        for (int x = 0; x < 8; ++x)
            QCOMPARE(wide.pixel(x, 0),
                     (x == 2 || x == 3) ? qRgb(1, 2, 3) : (x < 2 ? p.have.rgb() : p.missing.rgb()));
        // Fewer pixels than pieces: exactly the pixel renderRow uses for the piece, at any ratio.
        for (int pieces : {3, 7, 100, 4096}) {
            for (int width : {1, 2, 5, 64}) {
                if (width >= pieces)
                    continue;
                for (int piece : {0, pieces / 3, pieces - 1}) {
                    QImage row(width, 1, QImage::Format_RGB32);
                    row.fill(Qt::black);
                    Bitfield one(pieces);
                    one.setBit(piece);
                    PieceMapRenderer::overlayPieces(row, one, qRgb(255, 255, 255));
                    int marked = -1;
                    for (int x = 0; x < width; ++x)
                        if (row.pixel(x, 0) == qRgb(255, 255, 255)) {
                            QCOMPARE(marked, -1);
                            marked = x;
                        }
                    QVERIFY(marked >= 0);
                    const auto [first, end] = PieceMapRenderer::piecesAt(marked, width, pieces);
                    QVERIFY2(first <= piece && piece < end,
                             qPrintable(QStringLiteral("%1 pieces, width %2, piece %3")
                                            .arg(pieces)
                                            .arg(width)
                                            .arg(piece)));
                }
            }
        }
    }

    void pixelMappingRoundTrips() {
        for (int pieces : {1, 5, 64, 1000}) {
            for (int width : {1, 3, 64, 999, 2000}) {
                for (int piece = 0; piece < pieces; piece += qMax(1, pieces / 17)) {
                    const auto [px0, px1] = PieceMapRenderer::pixelsOf(piece, width, pieces);
                    if (px1 > px0) {
                        const auto [p0, p1] = PieceMapRenderer::piecesAt(px0, width, pieces);
                        QVERIFY(p0 <= piece && piece < p1);
                    }
                }
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestPieceMap)
#include "tst_piecemap.moc"
