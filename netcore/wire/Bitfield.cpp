#include "wire/Bitfield.h"

#include <QtEndian>

#include <bit>
#include <cstring>

namespace swarmscope {

namespace {

const uchar* bytesOf(const QByteArray& a) {
    return reinterpret_cast<const uchar*>(a.constData());
}

// The bits of the last byte that belong to pieces; the rest are spare.
uchar lastByteMask(int size) {
    const int used = size & 7;
    return used == 0 ? uchar(0xFF) : uchar(0xFF << (8 - used));
}

int popcount(const uchar* data, qsizetype n) {
    int total = 0;
    qsizetype i = 0;
    for (; i + 8 <= n; i += 8) {
        quint64 word;
        std::memcpy(&word, data + i, 8);
        total += std::popcount(word);
    }
    for (; i < n; ++i)
        total += std::popcount(unsigned(data[i]));
    return total;
}

// Index of the first set bit in data at or after bit from, in wire order; invert flips every byte first.
qsizetype findBit(const uchar* data, qsizetype n, qsizetype from, bool invert) {
    const uchar flip = invert ? 0xFF : 0x00;
    qsizetype byte = from >> 3;
    if (byte >= n)
        return -1;
    const uchar first = uchar((data[byte] ^ flip) & (0xFF >> (from & 7)));
    if (first)
        return byte * 8 + std::countl_zero(first);
    ++byte;
    const quint64 wideFlip = invert ? ~quint64(0) : 0;
    for (; byte + 8 <= n; byte += 8) {
        const quint64 word = qFromBigEndian<quint64>(data + byte) ^ wideFlip;
        if (word)
            return byte * 8 + std::countl_zero(word);
    }
    for (; byte < n; ++byte) {
        const uchar b = data[byte] ^ flip;
        if (b)
            return byte * 8 + std::countl_zero(b);
    }
    return -1;
}

} // namespace

Bitfield::Bitfield(int size, bool value) : m_size(qMax(size, 0)) {
    m_bytes = QByteArray(wireSize(m_size), value ? char(0xFF) : char(0));
    clearSpareBits();
    m_count = value ? m_size : 0;
}

WireError Bitfield::checkWire(QByteArrayView bytes, int pieceCount) {
    if (pieceCount < 0 || bytes.size() != wireSize(pieceCount))
        return WireError::BitfieldWrongLength;
    if (pieceCount > 0 && (uchar(bytes.back()) & ~lastByteMask(pieceCount)) != 0)
        return WireError::BitfieldSpareBits;
    return WireError::None;
}

std::optional<Bitfield> Bitfield::fromWire(QByteArrayView bytes, int pieceCount) {
    if (checkWire(bytes, pieceCount) != WireError::None)
        return std::nullopt;
    Bitfield result;
    result.m_size = pieceCount;
    result.m_bytes = bytes.toByteArray();
    result.recount();
    return result;
}

void Bitfield::setBit(int index, bool value) {
    Q_ASSERT(index >= 0 && index < m_size);
    char& byte = m_bytes[index >> 3];
    const uchar mask = uchar(0x80 >> (index & 7));
    const bool was = uchar(byte) & mask;
    if (was == value)
        return;
    byte = char(value ? uchar(byte) | mask : uchar(byte) & ~mask);
    m_count += value ? 1 : -1;
}

void Bitfield::fill(bool value) {
    m_bytes.fill(value ? char(0xFF) : char(0));
    clearSpareBits();
    m_count = value ? m_size : 0;
}

int Bitfield::nextSetBit(int from) const {
    if (from >= m_size)
        return -1;
    return int(findBit(bytesOf(m_bytes), m_bytes.size(), qMax(from, 0), false));
}

int Bitfield::nextClearBit(int from) const {
    if (from >= m_size)
        return -1;
    const qsizetype found = findBit(bytesOf(m_bytes), m_bytes.size(), qMax(from, 0), true);
    // Spare bits are zero, so the inverted search can land on them: they are not pieces.
    return found >= m_size ? -1 : int(found);
}

Bitfield Bitfield::operator&(const Bitfield& other) const {
    Q_ASSERT(m_size == other.m_size);
    Bitfield result = *this;
    char* out = result.m_bytes.data();
    const qsizetype n = qMin(m_bytes.size(), other.m_bytes.size());
    for (qsizetype i = 0; i < n; ++i)
        out[i] = char(out[i] & other.m_bytes.constData()[i]);
    result.recount();
    return result;
}

Bitfield Bitfield::operator|(const Bitfield& other) const {
    Q_ASSERT(m_size == other.m_size);
    Bitfield result = *this;
    char* out = result.m_bytes.data();
    const qsizetype n = qMin(m_bytes.size(), other.m_bytes.size());
    for (qsizetype i = 0; i < n; ++i)
        out[i] = char(out[i] | other.m_bytes.constData()[i]);
    result.recount();
    return result;
}

Bitfield Bitfield::operator~() const {
    Bitfield result = *this;
    char* out = result.m_bytes.data();
    for (qsizetype i = 0; i < result.m_bytes.size(); ++i)
        out[i] = char(~out[i]);
    result.clearSpareBits();
    result.m_count = m_size - m_count;
    return result;
}

Bitfield Bitfield::andNot(const Bitfield& other) const {
    Q_ASSERT(m_size == other.m_size);
    Bitfield result = *this;
    char* out = result.m_bytes.data();
    const qsizetype n = qMin(m_bytes.size(), other.m_bytes.size());
    for (qsizetype i = 0; i < n; ++i)
        out[i] = char(out[i] & ~other.m_bytes.constData()[i]);
    result.recount();
    return result;
}

bool Bitfield::hasAnyNotIn(const Bitfield& other) const {
    Q_ASSERT(m_size == other.m_size);
    const uchar* a = bytesOf(m_bytes);
    const uchar* b = bytesOf(other.m_bytes);
    const qsizetype n = qMin(m_bytes.size(), other.m_bytes.size());
    qsizetype i = 0;
    for (; i + 8 <= n; i += 8) {
        quint64 x, y;
        std::memcpy(&x, a + i, 8);
        std::memcpy(&y, b + i, 8);
        if (x & ~y)
            return true;
    }
    for (; i < n; ++i)
        if (a[i] & ~b[i])
            return true;
    return false;
}

void Bitfield::clearSpareBits() {
    if (!m_bytes.isEmpty())
        m_bytes.back() = char(uchar(m_bytes.back()) & lastByteMask(m_size));
}

void Bitfield::recount() {
    m_count = popcount(bytesOf(m_bytes), m_bytes.size());
}

} // namespace swarmscope
