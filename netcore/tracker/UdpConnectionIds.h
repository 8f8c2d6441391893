#pragma once

#include <QByteArray>
#include <QHostAddress>

namespace swarmscope {

// BEP 15 connection ids as syn cookies: the tracker keeps no state per client. An id is a keyed hash
// (HMAC-SHA-256 under a secret of the tracker's) of the client's address, its port and a 30-second time
// bucket, truncated to 56 bits, with the bucket's low 8 bits in the top byte. It is accepted from that
// address and port only, during the bucket it was issued in and the four after it: at least two minutes,
// at most two and a half, as BEP 15 asks of trackers. Time is passed in.
class UdpConnectionIds {
public:
    static constexpr qint64 kBucketMs = 30'000;
    static constexpr qint64 kBucketsAccepted = 5; // the issuing bucket and the four after it

    // secret: at least 16 bytes; empty: 32 random bytes.
    explicit UdpConnectionIds(QByteArray secret = {});

    quint64 issue(const QHostAddress& address, quint16 port, qint64 nowMs) const;
    bool verify(quint64 connectionId, const QHostAddress& address, quint16 port, qint64 nowMs) const;

private:
    quint64 idFor(qint64 bucket, const QHostAddress& address, quint16 port) const;

    QByteArray m_secret;
};

} // namespace swarmscope
