#include "storage/PieceLayout.h"

#include "metainfo/Metainfo.h"

#include <algorithm>
#include <limits>

namespace swarmscope {

PieceLayout::PieceLayout(const QList<qint64>& fileLengths, qint64 pieceLength) : m_pieceLength(pieceLength) {
    if (pieceLength <= 0)
        return;
    qint64 total = 0;
    m_fileOffsets.reserve(fileLengths.size());
    for (int i = 0; i < fileLengths.size(); ++i) {
        const qint64 length = fileLengths[i];
        if (length < 0 || length > std::numeric_limits<qint64>::max() - total)
            return;
        m_fileOffsets.append(total);
        if (length > 0)
            m_nonEmpty.emplace_back(total, i);
        total += length;
    }
    const qint64 pieces = total / pieceLength + (total % pieceLength != 0 ? 1 : 0);
    if (pieces > std::numeric_limits<int>::max())
        return;
    m_fileLengths = fileLengths;
    m_totalSize = total;
    m_pieceCount = int(pieces);
    m_valid = true;
}

PieceLayout PieceLayout::fromMetainfo(const Metainfo& metainfo) {
    QList<qint64> lengths;
    lengths.reserve(metainfo.files.size());
    for (const TorrentFile& file : metainfo.files)
        lengths.append(file.length);
    return PieceLayout(lengths, metainfo.pieceLength);
}

qint64 PieceLayout::fileLength(int file) const {
    return file >= 0 && file < m_fileLengths.size() ? m_fileLengths[file] : 0;
}

qint64 PieceLayout::fileOffset(int file) const {
    return file >= 0 && file < m_fileOffsets.size() ? m_fileOffsets[file] : 0;
}

qint64 PieceLayout::pieceSize(int piece) const {
    if (piece < 0 || piece >= m_pieceCount)
        return 0;
    return std::min(m_pieceLength, m_totalSize - pieceOffset(piece));
}

qint64 PieceLayout::pieceOffset(int piece) const {
    if (piece < 0 || piece >= m_pieceCount)
        return 0;
    return qint64(piece) * m_pieceLength;
}

bool PieceLayout::contains(int piece, qint64 offset, qint64 length) const {
    const qint64 size = pieceSize(piece);
    // Written so that no sum can overflow, whatever a peer puts in a request.
    return size > 0 && offset >= 0 && length > 0 && offset < size && length <= size - offset;
}

QList<FileSpan> PieceLayout::map(int piece, qint64 offset, qint64 length) const {
    if (!contains(piece, offset, length))
        return {};
    return mapRange(pieceOffset(piece) + offset, length);
}

QList<FileSpan> PieceLayout::mapRange(qint64 streamOffset, qint64 length) const {
    QList<FileSpan> spans;
    if (!m_valid || streamOffset < 0 || length <= 0 || streamOffset >= m_totalSize ||
        length > m_totalSize - streamOffset)
        return spans;
    // The last non-empty file starting at or before streamOffset holds its first byte.
    auto it = std::upper_bound(
        m_nonEmpty.begin(), m_nonEmpty.end(), streamOffset,
        [](qint64 value, const std::pair<qint64, int>& entry) { return value < entry.first; });
    --it;
    qint64 position = streamOffset;
    qint64 left = length;
    for (; left > 0 && it != m_nonEmpty.end(); ++it) {
        const int file = it->second;
        const qint64 inFile = position - it->first;
        const qint64 n = std::min(left, m_fileLengths[file] - inFile);
        spans.append(FileSpan{file, inFile, n});
        position += n;
        left -= n;
    }
    return spans;
}

std::pair<int, int> PieceLayout::piecesOfFile(int file) const {
    const qint64 length = fileLength(file);
    if (!m_valid || length <= 0)
        return {0, 0};
    const qint64 first = fileOffset(file);
    const qint64 last = first + length - 1;
    return {int(first / m_pieceLength), int(last / m_pieceLength) + 1};
}

} // namespace swarmscope
