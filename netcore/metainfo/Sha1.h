#pragma once

#include <QByteArray>

namespace swarmscope {

// SHA-1 through OpenSSL, which uses the CPU's SHA extensions where present.
// Thread-safe: each call uses its own digest context.
QByteArray sha1(const char* data, qsizetype size);
inline QByteArray sha1(const QByteArray& data) {
    return sha1(data.constData(), data.size());
}

// Incremental SHA-1 for data that arrives in pieces (blocks of a piece spread over several files).
class Sha1Hasher {
public:
    Sha1Hasher();
    ~Sha1Hasher();
    Sha1Hasher(const Sha1Hasher&) = delete;
    Sha1Hasher& operator=(const Sha1Hasher&) = delete;

    void add(const char* data, qsizetype size);
    void add(const QByteArray& data) { add(data.constData(), data.size()); }
    QByteArray result(); // 20 raw bytes; the hasher starts over afterwards

private:
    void* m_ctx;
};

} // namespace swarmscope
