#pragma once

#include <QByteArray>

namespace swarmscope {

// The 20-byte peer ids of one lab: the client prefix, a tag drawn once per lab, and the lab peer id in
// decimal. Any worker can then tell, from a handshake's peer id alone and without shared state, which lab
// peer is at the other end of a connection; a peer from another lab or another program has another tag.
class LabPeerIdentity {
public:
    // seed 0: a random tag.
    explicit LabPeerIdentity(quint32 seed = 0);

    QByteArray peerIdFor(int labPeer) const;
    // The lab peer id, or -1 when peerId is not one of this lab's.
    int labPeerOf(const QByteArray& peerId) const;
    const QByteArray& tag() const { return m_tag; }

private:
    QByteArray m_tag; // 4 characters
};

} // namespace swarmscope
