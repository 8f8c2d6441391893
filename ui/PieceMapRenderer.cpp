#include "PieceMapRenderer.h"

namespace swarmscope::ui {

namespace {

QRgb blend(const QColor& a, const QColor& b, double t) {
    return qRgb(int(a.red() + (b.red() - a.red()) * t + 0.5),
                int(a.green() + (b.green() - a.green()) * t + 0.5),
                int(a.blue() + (b.blue() - a.blue()) * t + 0.5));
}

int countSet(const Bitfield& bits, int first, int end) {
    if (bits.isEmpty())
        return 0;
    int count = 0;
    for (int i = bits.nextSetBit(first); i >= 0 && i < end; i = bits.nextSetBit(i + 1))
        ++count;
    return count;
}

} // namespace

std::pair<int, int> PieceMapRenderer::piecesAt(int x, int width, int pieceCount) {
    if (width <= 0 || pieceCount <= 0)
        return {0, 0};
    const int first = int(qint64(x) * pieceCount / width);
    int end = int(qint64(x + 1) * pieceCount / width);
    if (end <= first)
        end = first + 1; // more pixels than pieces: each pixel shows the one piece under it
    return {first, qMin(end, pieceCount)};
}

std::pair<int, int> PieceMapRenderer::pixelsOf(int piece, int width, int pieceCount) {
    if (width <= 0 || pieceCount <= 0)
        return {0, 0};
    const int first = int((qint64(piece) * width + pieceCount - 1) / pieceCount);
    const int end = int((qint64(piece + 1) * width + pieceCount - 1) / pieceCount);
    return {first, qMax(first, end)};
}

QImage PieceMapRenderer::renderRow(const Bitfield& have, const Bitfield& inFlight, const Bitfield& arrived,
                                   int width) const {
    const int pieces = have.size();
    if (width <= 0)
        return {};
    QImage row(width, 1, QImage::Format_RGB32);
    auto* pixels = reinterpret_cast<QRgb*>(row.scanLine(0));
    if (pieces <= 0) {
        row.fill(m_palette.missing);
        return row;
    }
    const bool useFlight = inFlight.size() == pieces;
    const bool useArrived = arrived.size() == pieces;
    for (int x = 0; x < width; ++x) {
        const auto [first, end] = piecesAt(x, width, pieces);
        const int span = end - first;
        const int had = countSet(have, first, end);
        if (useArrived && countSet(arrived, first, end) > 0) {
            pixels[x] = m_palette.arrived.rgb();
        } else if (had == span) {
            pixels[x] = m_palette.have.rgb();
        } else if (useFlight && countSet(inFlight, first, end) > 0) {
            // A pixel with a piece on its way shows "downloading", shaded towards "have" by what is already
            // here.
            pixels[x] = blend(m_palette.downloading, m_palette.have, double(had) / span);
        } else {
            pixels[x] = blend(m_palette.missing, m_palette.have, double(had) / span);
        }
    }
    return row;
}

} // namespace swarmscope::ui
