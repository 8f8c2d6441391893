#include "swarm/SwarmExperiment.h"

#include "swarm/SwarmLab.h"

namespace swarmscope {

SwarmExperiment::SwarmExperiment(SwarmLab& lab, int torrent, const SwarmExperimentSetup& setup,
                                 QObject* parent)
    : QObject(parent), m_lab(lab), m_torrent(torrent), m_setup(setup) {}

void SwarmExperiment::start() {
    if (m_started)
        return;
    m_started = true;
    connect(&m_lab, &SwarmLab::snapshotReady, this, &SwarmExperiment::onSnapshot);
    connect(&m_lab, &SwarmLab::peerCompleted, this, &SwarmExperiment::onCompleted);
    connect(&m_lab, &SwarmLab::verificationFinished, this, &SwarmExperiment::onVerified);
    connect(&m_lab, &SwarmLab::errorOccurred, this, &SwarmExperiment::fail);
    connect(&m_lab, &SwarmLab::peerFailed, this, [this](int peer, const QString& error) {
        fail(QStringLiteral("peer %1: %2").arg(peer).arg(error));
    });

    m_seeders = m_lab.addPeers(m_torrent, TorrentRole::Seeder, m_setup.seeders, m_setup.seederConditions,
                               peerOptions());
    if (m_seeders.isEmpty()) {
        fail(QStringLiteral("the lab took no seeders"));
        return;
    }
    if (!m_setup.waitForSeeders)
        addLeechers();
}

LabPeerOptions SwarmExperiment::peerOptions() const {
    // The strategies are part of the set-up, not controls given afterwards.
    LabPeerOptions options;
    options.picker = m_setup.strategy;
    options.choker = m_setup.chokerEnabled;
    return options;
}

void SwarmExperiment::addLeechers() {
    m_leechers = m_lab.addPeers(m_torrent, TorrentRole::Leecher, m_setup.leechers, m_setup.leecherConditions,
                                peerOptions());
    if (m_leechers.isEmpty()) {
        fail(QStringLiteral("the lab took no leechers"));
        return;
    }
}

void SwarmExperiment::onSnapshot(const SwarmSnapshotPtr& snapshot) {
    if (m_finished)
        return;
    if (m_leechers.isEmpty()) {
        for (int id : std::as_const(m_seeders)) {
            const LabPeerSnapshot* peer = snapshot->peer(id);
            if (!peer || peer->state != LabPeerState::Seeding)
                return;
        }
        addLeechers();
        return;
    }

    SwarmExperimentProgress p;
    p.leechers = int(m_leechers.size());
    p.completed = completedCount();
    qint64 have = 0;
    qint64 needed = 0;
    for (int id : std::as_const(m_leechers)) {
        if (const LabPeerSnapshot* peer = snapshot->peer(id)) {
            have += peer->have.count();
            needed += peer->pieceCount;
            p.downloadRate += peer->downloadRate;
        }
    }
    p.fraction = needed > 0 ? double(have) / double(needed) : 0.0;
    emit progress(p);
}

void SwarmExperiment::onCompleted(int peer, double seconds) {
    if (!m_leechers.contains(peer) || m_completion.contains(peer))
        return;
    m_completion.insert(peer, seconds);
    if (m_completion.size() == m_leechers.size() && !m_verifying) {
        m_verifying = true;
        m_lab.verifyLeechers(m_leechers);
    }
}

void SwarmExperiment::onVerified(const QList<LeecherVerification>& results) {
    if (!m_verifying || m_finished)
        return;
    m_verifiedCount = 0;
    for (const LeecherVerification& v : results)
        if (v.verified && m_leechers.contains(v.peer))
            ++m_verifiedCount;
    m_verified = m_verifiedCount == m_leechers.size();
    m_finished = true;
    emit finished();
}

void SwarmExperiment::fail(const QString& error) {
    if (m_finished)
        return;
    m_finished = true;
    emit failed(error);
}

} // namespace swarmscope
