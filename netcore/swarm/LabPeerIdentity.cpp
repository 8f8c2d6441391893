#include "swarm/LabPeerIdentity.h"

#include "peer/PeerIdentity.h"

#include <QRandomGenerator>

#include <cstring>

namespace swarmscope {

namespace {

constexpr int kPrefixLength = int(sizeof(kPeerIdPrefix) - 1);
constexpr int kTagLength = 4;
constexpr int kDigits = 20 - kPrefixLength - kTagLength;

} // namespace

LabPeerIdentity::LabPeerIdentity(quint32 seed) {
    static_assert(kDigits >= 8, "the peer id must leave room for the lab peer id");
    QRandomGenerator rng = seed ? QRandomGenerator(seed) : QRandomGenerator::securelySeeded();
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for (int i = 0; i < kTagLength; ++i)
        m_tag.append(alphabet[rng.bounded(int(sizeof(alphabet) - 1))]);
}

QByteArray LabPeerIdentity::peerIdFor(int labPeer) const {
    QByteArray id(kPeerIdPrefix);
    id.append(m_tag);
    id.append(QByteArray::number(labPeer).rightJustified(kDigits, '0', true));
    return id;
}

int LabPeerIdentity::labPeerOf(const QByteArray& peerId) const {
    if (peerId.size() != 20 || std::memcmp(peerId.constData(), kPeerIdPrefix, kPrefixLength) != 0 ||
        peerId.mid(kPrefixLength, kTagLength) != m_tag)
        return -1;
    bool ok = false;
    const int id = peerId.mid(kPrefixLength + kTagLength).toInt(&ok);
    return ok && id > 0 ? id : -1;
}

} // namespace swarmscope
