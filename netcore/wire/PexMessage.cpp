#include "wire/PexMessage.h"

#include "bencode/Bencode.h"

#include <QtEndian>

namespace swarmscope::wire {

namespace {

// A flat dictionary of strings; a nested value of a key we ignore may go one level deeper.
constexpr BencodeLimits kLimits{3, 256};

std::optional<PexMessage> failWith(QString* error, const QString& message) {
    if (error)
        *error = QStringLiteral("ut_pex: %1").arg(message);
    return std::nullopt;
}

QByteArray compact(const PexMessage::Peer& peer, bool v6) {
    QByteArray out;
    if (v6) {
        const Q_IPV6ADDR a = peer.address.toIPv6Address();
        out.append(reinterpret_cast<const char*>(a.c), 16);
    } else {
        const quint32 a = qToBigEndian(peer.address.toIPv4Address());
        out.append(reinterpret_cast<const char*>(&a), 4);
    }
    const quint16 port = qToBigEndian(peer.port);
    out.append(reinterpret_cast<const char*>(&port), 2);
    return out;
}

bool isV4(const QHostAddress& address) {
    bool ok = false;
    address.toIPv4Address(&ok);
    return ok;
}

// Reads the compact string under key (and its flags under flagsKey, when given) into out. False with *why.
bool readCompact(const BencodeValue& dict, const char* key, const char* flagsKey, bool v6, int limit,
                 int* taken, QList<PexMessage::Peer>* out, QString* why) {
    const BencodeValue* value = dict.find(key);
    if (!value)
        return true;
    if (!value->isString()) {
        *why = QStringLiteral("\"%1\" is not a string").arg(QLatin1String(key));
        return false;
    }
    const QByteArray& bytes = value->toByteArray();
    const int size = v6 ? 18 : 6;
    if (bytes.size() % size != 0) {
        *why = QStringLiteral("\"%1\" is %2 bytes, not a multiple of %3")
                   .arg(QLatin1String(key))
                   .arg(bytes.size())
                   .arg(size);
        return false;
    }
    const int count = int(bytes.size() / size);
    *taken += count;
    if (*taken > limit) {
        *why = QStringLiteral("\"%1\" brings the message to %2 peers, over the limit of %3")
                   .arg(QLatin1String(key))
                   .arg(*taken)
                   .arg(limit);
        return false;
    }
    QByteArray flags;
    if (flagsKey) {
        if (const BencodeValue* f = dict.find(flagsKey)) {
            if (!f->isString()) {
                *why = QStringLiteral("\"%1\" is not a string").arg(QLatin1String(flagsKey));
                return false;
            }
            flags = f->toByteArray();
            if (flags.size() != count) {
                *why = QStringLiteral("\"%1\" has %2 flags for %3 peers")
                           .arg(QLatin1String(flagsKey))
                           .arg(flags.size())
                           .arg(count);
                return false;
            }
        }
    }
    const auto* p = reinterpret_cast<const uchar*>(bytes.constData());
    for (int i = 0; i < count; ++i, p += size) {
        PexMessage::Peer peer;
        if (v6)
            peer.address = QHostAddress(p);
        else
            peer.address = QHostAddress(qFromBigEndian<quint32>(p));
        peer.port = qFromBigEndian<quint16>(p + (v6 ? 16 : 4));
        if (!flags.isEmpty())
            peer.flags = quint8(flags[i]);
        if (peer.port != 0)
            out->append(peer);
    }
    return true;
}

} // namespace

QByteArray encodePexMessage(const PexMessage& message) {
    QByteArray added, addedF, added6, added6F, dropped, dropped6;
    int n = 0;
    for (const PexMessage::Peer& peer : message.added) {
        if (peer.address.isNull() || peer.port == 0)
            continue;
        if (n++ >= kMaxPexAdded)
            break;
        if (isV4(peer.address)) {
            added += compact(peer, false);
            addedF += char(peer.flags);
        } else {
            added6 += compact(peer, true);
            added6F += char(peer.flags);
        }
    }
    n = 0;
    for (const PexMessage::Peer& peer : message.dropped) {
        if (peer.address.isNull() || peer.port == 0)
            continue;
        if (n++ >= kMaxPexDropped)
            break;
        if (isV4(peer.address))
            dropped += compact(peer, false);
        else
            dropped6 += compact(peer, true);
    }
    BencodeValue dict = BencodeValue::dictionary();
    dict.insert("added", added);
    dict.insert("added.f", addedF);
    dict.insert("dropped", dropped);
    if (!added6.isEmpty()) {
        dict.insert("added6", added6);
        dict.insert("added6.f", added6F);
    }
    if (!dropped6.isEmpty())
        dict.insert("dropped6", dropped6);
    return bencodeEncode(dict);
}

std::optional<PexMessage> decodePexMessage(const QByteArray& payload, QString* error) {
    if (payload.size() > kMaxPexMessageBytes)
        return failWith(error, QStringLiteral("a message of %1 bytes, over the limit of %2")
                                   .arg(payload.size())
                                   .arg(kMaxPexMessageBytes));
    const BencodeDecodeResult decoded = bencodeDecode(payload, kLimits);
    if (!decoded.ok())
        return failWith(error, decoded.errorString());
    const BencodeValue& dict = *decoded.value;
    if (!dict.isDictionary())
        return failWith(error, QStringLiteral("not a dictionary"));
    PexMessage message;
    QString why;
    int added = 0;
    int dropped = 0;
    if (!readCompact(dict, "added", "added.f", false, kMaxPexAdded, &added, &message.added, &why) ||
        !readCompact(dict, "added6", "added6.f", true, kMaxPexAdded, &added, &message.added, &why) ||
        !readCompact(dict, "dropped", nullptr, false, kMaxPexDropped, &dropped, &message.dropped, &why) ||
        !readCompact(dict, "dropped6", nullptr, true, kMaxPexDropped, &dropped, &message.dropped, &why))
        return failWith(error, why);
    return message;
}

} // namespace swarmscope::wire
