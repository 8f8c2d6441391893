#pragma once

#include "wire/Bitfield.h"

#include <QColor>
#include <QImage>

namespace swarmscope::ui {

// The colours of the piece map, shared by the renderer, the legend and the tests.
struct PieceMapPalette {
    QColor missing{0xe3, 0xe7, 0xec};
    QColor have{0x2a, 0x9d, 0x8f};
    QColor downloading{0xf4, 0xa2, 0x61};
    QColor arrived{0xff, 0xd1, 0x66}; // pieces that arrived in the last moments
};

// Turns one peer's bitfields into a one-pixel-high image of a given width, at piece resolution: with more
// pixels than pieces each piece is a run of pixels, with fewer each pixel blends the pieces it covers (the
// share of pieces had decides how far the colour goes from "missing" to "have"). The painter then stretches
// the row to its height, so a map of 10,000 pieces costs one small image per peer, made only on change.
class PieceMapRenderer {
public:
    explicit PieceMapRenderer(const PieceMapPalette& palette = {}) : m_palette(palette) {}

    // have, inFlight and arrived must be of the same size (an empty inFlight or arrived means none).
    QImage renderRow(const Bitfield& have, const Bitfield& inFlight, const Bitfield& arrived,
                     int width) const;

    // Paints every pixel of row (rendered by renderRow for pieceCount pieces) that covers a set piece of
    // pieces in color, however few pixels the row has: how a highlight fades without re-rendering the rest.
    static void overlayPieces(QImage& row, const Bitfield& pieces, QRgb color);

    // The pieces that pixel x of a row of the given width covers: [first, end).
    static std::pair<int, int> piecesAt(int x, int width, int pieceCount);
    // The pixel span [first, end) of piece in a row of the given width.
    static std::pair<int, int> pixelsOf(int piece, int width, int pieceCount);

    const PieceMapPalette& palette() const { return m_palette; }

private:
    PieceMapPalette m_palette;
};

} // namespace swarmscope::ui
