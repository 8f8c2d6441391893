#include "piecemap/PieceMapRenderer.h"

#include <bit>

namespace swarmscope::ui {

namespace {

QRgb blend(const QColor& a, const QColor& b, double t) {
    return qRgb(int(a.red() + (b.red() - a.red()) * t + 0.5),
                int(a.green() + (b.green() - a.green()) * t + 0.5),
                int(a.blue() + (b.blue() - a.blue()) * t + 0.5));
}

// Set bits in [first, end), straight from the wire bytes: a pixel covers a few pieces, and a map of hundreds
// of rows re-renders every visible row per snapshot, so this runs hundreds of thousands of times a second.
int countSet(const Bitfield& bits, int first, int end) {
    if (bits.isEmpty() || first >= end)
        return 0;
    const auto* bytes = reinterpret_cast<const uchar*>(bits.toWire().constData());
    int count = 0;
    int i = first;
    for (; i < end && (i & 7) != 0; ++i)
        count += (bytes[i >> 3] >> (7 - (i & 7))) & 1;
    for (; i + 8 <= end; i += 8)
        count += std::popcount(unsigned(bytes[i >> 3]));
    for (; i < end; ++i)
        count += (bytes[i >> 3] >> (7 - (i & 7))) & 1;
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

void PieceMapRenderer::overlayPieces(QImage& row, const Bitfield& pieces, QRgb color) {
    const int width = row.width();
    const int count = pieces.size();
    if (width <= 0 || count <= 0 || row.height() < 1)
        return;
    auto* pixels = reinterpret_cast<QRgb*>(row.scanLine(0));
    pieces.forEachSet([&](int piece) {
        auto [first, end] = pixelsOf(piece, width, count);
        if (end <= first) {
            // Fewer pixels than pieces: the pixel whose span (as renderRow sees it) holds the piece.
            int x = int(qint64(piece) * width / count);
            while (x + 1 < width && piecesAt(x, width, count).second <= piece)
                ++x;
            first = x;
            end = x + 1;
        }
        for (int x = first; x < qMin(end, width); ++x)
            pixels[x] = color;
    });
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
