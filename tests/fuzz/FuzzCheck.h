#pragma once

// Helpers shared by the libFuzzer targets. A fuzz target reports a broken invariant by aborting, which
// libFuzzer records as a crash with the input that caused it; the message says which invariant.

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace swarmscope::fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* condition, const QString& detail) {
    std::fprintf(stderr, "\n%s:%d: fuzz invariant broken: %s\n", file, line, condition);
    if (!detail.isEmpty())
        std::fprintf(stderr, "  %s\n", detail.toLocal8Bit().constData());
    std::fflush(stderr);
    std::abort();
}

// The input as a QByteArray. A copy, not fromRawData(): every QByteArray the parsers see in production is
// NUL-terminated, and a shared raw buffer would report reads of the terminator that cannot happen there.
// ASan still sees any read past the terminator.
inline QByteArray inputBytes(const uint8_t* data, size_t size) {
    return QByteArray(reinterpret_cast<const char*>(data), qsizetype(size));
}

// Reads small fields from the front of the input, so seed files can be written by hand: a header of fixed
// fields, then the payload. Reads past the end give zeros.
class FrontReader {
public:
    explicit FrontReader(const QByteArray& bytes) : m_bytes(bytes) {}

    quint8 u8() { return m_pos < m_bytes.size() ? quint8(m_bytes[m_pos++]) : 0; }
    quint16 u16() {
        const quint16 hi = u8();
        return quint16(hi << 8 | u8());
    }
    quint32 u32() {
        const quint32 hi = u16();
        return hi << 16 | u16();
    }
    QByteArray take(qsizetype count) {
        const qsizetype n = qMin(count, remaining());
        const QByteArray out = m_bytes.mid(m_pos, n);
        m_pos += n;
        return out;
    }
    QByteArray rest() { return take(remaining()); }
    qsizetype remaining() const { return m_bytes.size() - m_pos; }

private:
    QByteArray m_bytes;
    qsizetype m_pos = 0;
};

} // namespace swarmscope::fuzz

#define FUZZ_CHECK(condition, detail)                                                                        \
    do {                                                                                                     \
        if (!(condition))                                                                                    \
            ::swarmscope::fuzz::fail(__FILE__, __LINE__, #condition, (detail));                              \
    } while (false)
