#pragma once

#include <QList>
#include <QString>

#include <utility>
#include <vector>

namespace swarmscope {

struct Metainfo;

// A run of bytes inside one file: what a piece range turns into on disk.
struct FileSpan {
    int fileIndex = -1;
    qint64 fileOffset = 0;
    qint64 length = 0;

    bool operator==(const FileSpan& other) const = default;
};

// Maps the torrent's byte stream (pieces) onto its files (the concatenation of the files in info-dictionary
// order). Pure arithmetic, no I/O: the storage, the piece picker and the resume check all need the same
// answers, and this is where the edge cases live (empty files, a piece crossing many files, the short last
// piece), so it is tested exhaustively against a byte-by-byte model.
class PieceLayout {
public:
    PieceLayout() = default;
    // File offsets are computed from the lengths, never taken on trust from the caller.
    PieceLayout(const QList<qint64>& fileLengths, qint64 pieceLength);
    static PieceLayout fromMetainfo(const Metainfo& metainfo);

    // False for a negative file length, a non-positive piece length, a total that overflows, or more pieces
    // than an int can count; every query then answers "nothing".
    bool isValid() const { return m_valid; }

    qint64 pieceLength() const { return m_pieceLength; }
    qint64 totalSize() const { return m_totalSize; }
    int pieceCount() const { return m_pieceCount; }
    int fileCount() const { return int(m_fileLengths.size()); }
    qint64 fileLength(int file) const;
    qint64 fileOffset(int file) const; // first byte of the file in the torrent's byte stream
    qint64 pieceSize(int piece) const; // pieceLength, or less for the last piece; 0 when out of range
    qint64 pieceOffset(int piece) const;

    // True when [offset, offset + length) is a non-empty range inside piece.
    bool contains(int piece, qint64 offset, qint64 length) const;

    // The file spans of a range inside one piece, in stream order. Zero-length files never appear. Empty when
    // the range is not contained in the piece.
    QList<FileSpan> map(int piece, qint64 offset, qint64 length) const;
    QList<FileSpan> mapPiece(int piece) const { return map(piece, 0, pieceSize(piece)); }
    // The same for an absolute range of the byte stream.
    QList<FileSpan> mapRange(qint64 streamOffset, qint64 length) const;

    // The pieces that hold at least one byte of file, as a half-open range [first, end). A zero-length file
    // holds no bytes, so its range is empty.
    std::pair<int, int> piecesOfFile(int file) const;

private:
    QList<qint64> m_fileLengths;
    QList<qint64> m_fileOffsets;
    // Only files with bytes, sorted by offset (they already are), for a binary search that cannot land on a
    // zero-length file sharing its offset with the next one.
    std::vector<std::pair<qint64, int>> m_nonEmpty;
    qint64 m_pieceLength = 0;
    qint64 m_totalSize = 0;
    int m_pieceCount = 0;
    bool m_valid = false;
};

} // namespace swarmscope
