#include "tracker/UdpConnectionIds.h"

#include <QMessageAuthenticationCode>
#include <QtEndian>

#include <random>

namespace swarmscope {

namespace {

qint64 bucketOf(qint64 nowMs) {
    // Floor division, so that a clock before its epoch still moves forward bucket by bucket.
    return nowMs >= 0 ? nowMs / UdpConnectionIds::kBucketMs
                      : -((-nowMs - 1) / UdpConnectionIds::kBucketMs) - 1;
}

QByteArray addressBytes(const QHostAddress& address) {
    // IPv4 and IPv4-mapped IPv6 name the same client.
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    QByteArray out;
    if (isV4) {
        out.resize(4);
        qToBigEndian<quint32>(v4, out.data());
        return out;
    }
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    return QByteArray(reinterpret_cast<const char*>(v6.c), 16);
}

} // namespace

UdpConnectionIds::UdpConnectionIds(QByteArray secret) : m_secret(std::move(secret)) {
    if (m_secret.size() < 16) {
        std::random_device device;
        m_secret.resize(32);
        for (char& c : m_secret)
            c = char(device());
    }
}

quint64 UdpConnectionIds::idFor(qint64 bucket, const QHostAddress& address, quint16 port) const {
    QByteArray message(10, '\0');
    qToBigEndian<qint64>(bucket, message.data());
    qToBigEndian<quint16>(port, message.data() + 8);
    message += addressBytes(address);
    const QByteArray mac = QMessageAuthenticationCode::hash(message, m_secret, QCryptographicHash::Sha256);
    const quint64 tag = qFromBigEndian<quint64>(mac.constData()) & 0x00ff'ffff'ffff'ffffULL;
    return (quint64(quint8(bucket)) << 56) | tag;
}

quint64 UdpConnectionIds::issue(const QHostAddress& address, quint16 port, qint64 nowMs) const {
    return idFor(bucketOf(nowMs), address, port);
}

bool UdpConnectionIds::verify(quint64 connectionId, const QHostAddress& address, quint16 port,
                              qint64 nowMs) const {
    const qint64 now = bucketOf(nowMs);
    // The id's top byte says how many buckets ago it was issued (modulo 256).
    const qint64 age = quint8(quint8(now) - quint8(connectionId >> 56));
    if (age >= kBucketsAccepted)
        return false;
    return idFor(now - age, address, port) == connectionId;
}

} // namespace swarmscope
