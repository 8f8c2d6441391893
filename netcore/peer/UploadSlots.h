#pragma once

#include "peer/Choker.h"

#include <QList>
#include <QString>

#include <functional>

namespace swarmscope {

class PeerConnection;

// Whom one torrent uploads to: the choker's decisions applied to the torrent's connections. The choker's
// view is the truth; every update syncs each connection to it (rather than applying only the choker's
// changes), which also restores everyone after a pause, when the torrent choked peers behind its back.
class UploadSlots {
public:
    // Called for every CHOKE or UNCHOKE sent, with the reason ("regular", "optimistic", "paused", ...).
    using Report = std::function<void(PeerConnection* connection, bool choked, const QString& reason)>;

    UploadSlots(quint32 seed, const ChokerConfig& config) : m_choker(seed, config) {}

    void setEnabled(bool enabled) { m_choker.setEnabled(enabled); }
    bool isEnabled() const { return m_choker.isEnabled(); }
    void rechokeSoon() { m_choker.rechokeSoon(); }
    // True when an interested peer could be unchoked now without waiting for the next round.
    bool hasFreeSlot(const QList<PeerConnection*>& connections) const;

    void update(qint64 nowMs, const QList<PeerConnection*>& connections, bool seeding, const Report& report);
    void chokeAll(const QList<PeerConnection*>& connections, const QString& reason, const Report& report);

    bool isOptimistic(PeerId peer) const { return m_choker.reason(peer) == UnchokeReason::Optimistic; }
    bool isSnubbed(PeerId peer) const { return m_choker.isSnubbed(peer); }

private:
    Choker m_choker;
};

} // namespace swarmscope
