#include "shared/TorrentFileLayout.h"

namespace swarmscope::ui {

TorrentFileLayout::TorrentFileLayout(const Metainfo& metainfo)
    : m_pieceLength(metainfo.pieceLength), m_totalSize(metainfo.totalSize),
      m_pieceCount(metainfo.pieceCount()) {
    if (m_pieceLength <= 0 || m_pieceCount <= 0) {
        m_pieceCount = 0;
        return;
    }
    for (const TorrentFile& f : metainfo.files) {
        if (f.padding)
            continue; // zeros that fill a piece up, never a file anyone sees
        File file;
        file.path = f.path;
        file.offset = f.offset;
        file.length = f.length;
        file.firstPiece = int(qMin<qint64>(f.offset / m_pieceLength, m_pieceCount - 1));
        file.endPiece = f.length > 0
                            ? int(qMin<qint64>((f.offset + f.length - 1) / m_pieceLength + 1, m_pieceCount))
                            : file.firstPiece;
        m_files.append(file);
    }
}

double TorrentFileLayout::startFraction(int index) const {
    const qint64 span = qint64(m_pieceCount) * m_pieceLength;
    return span > 0 ? double(m_files[index].offset) / double(span) : 0.0;
}

double TorrentFileLayout::endFraction(int index) const {
    const qint64 span = qint64(m_pieceCount) * m_pieceLength;
    const File& f = m_files[index];
    // The last file ends where the bar does, though its last piece is short.
    if (index == fileCount() - 1)
        return 1.0;
    return span > 0 ? double(f.offset + f.length) / double(span) : 0.0;
}

QList<int> TorrentFileLayout::filesOfPiece(int piece) const {
    QList<int> files;
    for (int i = 0; i < fileCount(); ++i)
        if (m_files[i].length > 0 && piece >= m_files[i].firstPiece && piece < m_files[i].endPiece)
            files.append(i);
    return files;
}

int TorrentFileLayout::piecesHad(int index, const Bitfield& have) const {
    const File& f = m_files[index];
    int count = 0;
    for (int p = f.firstPiece; p < f.endPiece && p < have.size(); ++p)
        count += have.testBit(p) ? 1 : 0;
    return count;
}

double TorrentFileLayout::progress(int index, const Bitfield& have) const {
    const File& f = m_files[index];
    const int pieces = f.endPiece - f.firstPiece;
    return pieces > 0 ? double(piecesHad(index, have)) / pieces : 1.0;
}

} // namespace swarmscope::ui
