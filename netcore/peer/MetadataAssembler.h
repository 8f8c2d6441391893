#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace swarmscope {

// Puts a torrent's info dictionary together from BEP 9 pieces: the size comes from the first peer that
// names one within bounds, every piece must have exactly its length, and the whole must hash to the
// info-hash of the magnet link.
class MetadataAssembler {
public:
    enum class Result { Accepted, Complete, Refused, HashMismatch };

    explicit MetadataAssembler(const QByteArray& infoHash) : m_infoHash(infoHash) {}

    // False (with *error) for a size that is not in 1..wire::kMaxMetadataSize, or that differs from the size
    // already in use.
    bool setSize(qint64 size, QString* error);
    bool hasSize() const { return m_size > 0; }
    qint64 size() const { return m_size; }
    int pieceCount() const { return m_have.size(); }
    bool hasPiece(int piece) const { return piece >= 0 && piece < m_have.size() && m_have[piece]; }
    // Pieces not received yet, in order.
    QList<int> missing() const;

    // Refused: no size yet, a piece out of range or of the wrong length, or one we already have (*error says
    // which). Complete: the last piece arrived and the whole hashes right (see infoBytes()). HashMismatch: it
    // did not; everything is forgotten but the size, to be fetched again.
    Result add(int piece, const QByteArray& data, QString* error);
    const QByteArray& infoBytes() const { return m_buffer; }
    bool isComplete() const { return m_complete; }

private:
    QByteArray m_infoHash;
    qint64 m_size = 0;
    QByteArray m_buffer;
    QList<bool> m_have;
    int m_received = 0;
    bool m_complete = false;
};

} // namespace swarmscope
