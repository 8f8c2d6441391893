#pragma once

#include "metainfo/Metainfo.h"
#include "swarm/SwarmLab.h"

#include <QList>
#include <QString>
#include <QTemporaryDir>

#include <functional>
#include <memory>

// A lab with one torrent of generated data, recording every snapshot and event it publishes.
class SwarmLabFixture {
public:
    // size bytes in pieces of pieceLength, in a temporary directory.
    SwarmLabFixture(qint64 size, qint64 pieceLength, const swarmscope::SwarmLabConfig& config = {});

    bool isValid() const { return m_valid; }
    swarmscope::SwarmLab& lab() { return *m_lab; }
    int torrent() const { return m_torrent; }
    const swarmscope::Metainfo& metainfo() const { return m_metainfo; }
    QString dataDir() const { return m_dir.path(); }

    const QList<swarmscope::SwarmSnapshotPtr>& snapshots() const { return m_snapshots; }
    swarmscope::SwarmSnapshotPtr last() const { return m_snapshots.isEmpty() ? nullptr : m_snapshots.last(); }
    const QList<swarmscope::SwarmEvent>& events() const { return m_events; }
    QList<int> completed() const { return m_completed; }

    // Waits (running the event loop) until the latest snapshot satisfies test; false after timeoutMs.
    bool waitForSnapshot(const std::function<bool(const swarmscope::SwarmSnapshot&)>& test,
                         int timeoutMs = 20000);
    // The peer in the latest snapshot, or null.
    const swarmscope::LabPeerSnapshot* peer(int id) const;

private:
    QTemporaryDir m_dir;
    swarmscope::Metainfo m_metainfo;
    std::unique_ptr<swarmscope::SwarmLab> m_lab;
    int m_torrent = 0;
    bool m_valid = false;
    QList<swarmscope::SwarmSnapshotPtr> m_snapshots;
    QList<swarmscope::SwarmEvent> m_events;
    QList<int> m_completed;
};
