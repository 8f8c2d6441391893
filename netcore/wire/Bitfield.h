#pragma once

#include "wire/WireError.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace swarmscope {

// The set of pieces a peer has, stored in BEP 3 wire order: the high bit of byte 0 is piece 0. Keeping the
// wire form as the storage makes toWire() free and copies cheap (QByteArray is implicitly shared), which is
// what GUI snapshots of hundreds of peers need. Spare bits past size() are always zero.
class Bitfield {
public:
    Bitfield() = default;
    explicit Bitfield(int size, bool value = false);

    // Wire bytes for a torrent of pieceCount pieces: exactly ceil(pieceCount / 8) bytes, spare bits zero.
    static std::optional<Bitfield> fromWire(QByteArrayView bytes, int pieceCount);
    // Why fromWire() would reject bytes: None, BitfieldWrongLength or BitfieldSpareBits.
    static WireError checkWire(QByteArrayView bytes, int pieceCount);
    static qsizetype wireSize(int pieceCount) { return (qsizetype(pieceCount) + 7) / 8; }

    const QByteArray& toWire() const { return m_bytes; }

    int size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    int count() const { return m_count; } // set bits, kept up to date, O(1)
    bool all() const { return m_count == m_size; }
    bool none() const { return m_count == 0; }

    bool testBit(int index) const {
        Q_ASSERT(index >= 0 && index < m_size);
        return (uchar(m_bytes.constData()[index >> 3]) >> (7 - (index & 7))) & 1;
    }
    void setBit(int index, bool value = true);
    void clearBit(int index) { setBit(index, false); }
    void fill(bool value);

    // The first set (clear) index at or after from, or -1. Scans 64 bits at a time.
    int nextSetBit(int from) const;
    int nextClearBit(int from) const;
    template <typename F> void forEachSet(F&& f) const {
        for (int i = nextSetBit(0); i >= 0; i = nextSetBit(i + 1))
            f(i);
    }

    // Set operations; both sides must have the same size.
    Bitfield operator&(const Bitfield& other) const;
    Bitfield operator|(const Bitfield& other) const;
    Bitfield operator~() const;
    Bitfield andNot(const Bitfield& other) const; // this & ~other
    // True when some piece is set here and clear in other: "they have something I lack".
    bool hasAnyNotIn(const Bitfield& other) const;

    friend bool operator==(const Bitfield& a, const Bitfield& b) {
        return a.m_size == b.m_size && a.m_bytes == b.m_bytes;
    }
    friend bool operator!=(const Bitfield& a, const Bitfield& b) { return !(a == b); }

private:
    void clearSpareBits();
    void recount();

    QByteArray m_bytes;
    int m_size = 0;
    int m_count = 0;
};

} // namespace swarmscope
