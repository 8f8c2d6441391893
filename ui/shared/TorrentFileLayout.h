#pragma once

#include "metainfo/Metainfo.h"
#include "wire/Bitfield.h"

#include <QList>
#include <QString>

namespace swarmscope::ui {

// Where a torrent's files lie among its pieces: the piece map draws their boundaries and each file's share,
// the torrent's file list its progress. A piece at a boundary belongs to both files it touches.
class TorrentFileLayout {
public:
    struct File {
        QString path;
        qint64 offset = 0; // of its first byte in the torrent's byte stream
        qint64 length = 0;
        int firstPiece = 0; // [firstPiece, endPiece): every piece holding some of its bytes
        int endPiece = 0;
    };

    TorrentFileLayout() = default;
    explicit TorrentFileLayout(const Metainfo& metainfo);

    bool isEmpty() const { return m_pieceCount == 0; }
    // More than one file: only then are boundaries worth drawing.
    bool isMultiFile() const { return m_files.size() > 1; }
    int fileCount() const { return int(m_files.size()); }
    const File& file(int index) const { return m_files[index]; }
    int pieceCount() const { return m_pieceCount; }
    qint64 pieceLength() const { return m_pieceLength; }
    qint64 totalSize() const { return m_totalSize; }

    // Where file index starts, as a share 0..1 of the torrent's pieces: what a bar of any width needs.
    double startFraction(int index) const;
    double endFraction(int index) const;
    // The files piece holds bytes of (usually one; more at a boundary or for tiny files).
    QList<int> filesOfPiece(int piece) const;
    // How many of file index's pieces have holds, and its share 0..1 of them (1 for an empty file).
    int piecesHad(int index, const Bitfield& have) const;
    double progress(int index, const Bitfield& have) const;

private:
    QList<File> m_files;
    qint64 m_pieceLength = 0;
    qint64 m_totalSize = 0;
    int m_pieceCount = 0;
};

} // namespace swarmscope::ui
