#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QtEndian>

#include <cstring>

namespace swarmscope {

// Reads what QDataStream (version Qt_6_0, big-endian, double precision) wrote, straight from memory: a
// recording's frames are read many times while the timeline is dragged, and QDataStream's reads through a
// QBuffer cost most of that. Only the types the frames hold; a read past the end, or a length longer than
// what is left, fails the reader (ok() false) and yields zeros and empty values from then on.
class FrameReader {
public:
    explicit FrameReader(const QByteArray& bytes)
        : m_p(bytes.constData()), m_end(bytes.constData() + bytes.size()) {}

    bool ok() const { return m_ok; }
    bool atEnd() const { return m_p == m_end; }

    template <typename T> T integer() {
        static_assert(std::is_integral_v<T>);
        if (!take(sizeof(T)))
            return T(0);
        T value;
        std::memcpy(&value, m_p - sizeof(T), sizeof(T));
        return qFromBigEndian(value);
    }

    FrameReader& operator>>(bool& v) {
        v = integer<qint8>() != 0;
        return *this;
    }
    FrameReader& operator>>(quint8& v) { return read(v); }
    FrameReader& operator>>(qint32& v) { return read(v); }
    FrameReader& operator>>(quint16& v) { return read(v); }
    FrameReader& operator>>(quint32& v) { return read(v); }
    FrameReader& operator>>(qint64& v) { return read(v); }
    FrameReader& operator>>(quint64& v) { return read(v); }
    FrameReader& operator>>(double& v) {
        const quint64 bits = integer<quint64>();
        std::memcpy(&v, &bits, sizeof v);
        return *this;
    }
    FrameReader& operator>>(QByteArray& v) {
        const quint32 length = integer<quint32>();
        if (length == 0xffffffffu || !m_ok) {
            v = QByteArray();
            return *this;
        }
        if (!take(length)) {
            v = QByteArray();
            return *this;
        }
        v = QByteArray(m_p - length, qsizetype(length));
        return *this;
    }
    FrameReader& operator>>(QString& v) {
        const quint32 length = integer<quint32>();
        if (length == 0xffffffffu || !m_ok) {
            v = QString();
            return *this;
        }
        if (length % 2 != 0 || !take(length)) {
            fail();
            v = QString();
            return *this;
        }
        const char* from = m_p - length;
        v.resize(qsizetype(length / 2));
        char16_t* to = reinterpret_cast<char16_t*>(v.data());
        for (quint32 i = 0; i < length / 2; ++i)
            to[i] = char16_t((quint8(from[2 * i]) << 8) | quint8(from[2 * i + 1]));
        return *this;
    }
    FrameReader& operator>>(QHostAddress& v) {
        // QDataStream's form: the protocol as qint8, then four bytes (IPv4) or sixteen and the scope (IPv6).
        const qint8 protocol = integer<qint8>();
        switch (protocol) {
        case qint8(QAbstractSocket::IPv4Protocol):
            v.setAddress(integer<quint32>());
            break;
        case qint8(QAbstractSocket::IPv6Protocol): {
            Q_IPV6ADDR ip;
            for (quint8& byte : ip.c)
                byte = integer<quint8>();
            QString scope;
            *this >> scope;
            v.setAddress(ip);
            v.setScopeId(scope);
            break;
        }
        case qint8(QAbstractSocket::AnyIPProtocol):
            v = QHostAddress::Any;
            break;
        default:
            v.clear();
            break;
        }
        return *this;
    }
    FrameReader& operator>>(QList<QByteArray>& v) {
        const quint32 count = integer<quint32>();
        v.clear();
        // Each element takes four bytes at least: a count beyond that is a lie.
        if (!m_ok || count > quint32((m_end - m_p) / 4)) {
            fail();
            return *this;
        }
        v.reserve(count);
        for (quint32 i = 0; i < count && m_ok; ++i) {
            QByteArray item;
            *this >> item;
            v.append(item);
        }
        return *this;
    }

private:
    template <typename T> FrameReader& read(T& v) {
        v = integer<T>();
        return *this;
    }
    bool take(size_t n) {
        if (!m_ok || size_t(m_end - m_p) < n) {
            fail();
            return false;
        }
        m_p += n;
        return true;
    }
    void fail() {
        m_ok = false;
        m_p = m_end;
    }

    const char* m_p;
    const char* m_end;
    bool m_ok = true;
};

} // namespace swarmscope
