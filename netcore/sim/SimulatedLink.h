#pragma once

#include "clock/Scheduler.h"
#include "sim/BandwidthQueue.h"
#include "sim/RateLimiter.h"

#include <QObject>

namespace swarmscope {

// One node's access link: its upload and download caps, each a token bucket that all of the node's
// connections share in turn, and its one-way latency and jitter, applied in both directions. Every stream of
// the node reads it, on real TCP and in the simulated network alike; changing a value emits changed() and the
// streams follow at once. It must outlive the node's streams.
//
// Lives in the thread of its scheduler and is not thread-safe: the GUI changes it through the swarm's control
// API, which runs the call in that thread.
class SimulatedLink : public QObject {
    Q_OBJECT
public:
    // scheduler: where now and the caps' timers come from; not owned, must outlive the link. seed: the start
    // of the sequence that seeds each connection's jitter.
    explicit SimulatedLink(Scheduler& scheduler, quint64 seed = 1, QObject* parent = nullptr);

    Scheduler& scheduler() const { return m_scheduler; }
    SimTime now() const { return m_scheduler.now(); }

    // Bytes per second; 0 = unlimited.
    qint64 uploadRate() const { return m_upload.rate(); }
    qint64 downloadRate() const { return m_download.rate(); }
    void setUploadRate(qint64 bytesPerSecond);
    void setDownloadRate(qint64 bytesPerSecond);
    RateLimiter& uploadLimiter() { return m_upload; }
    RateLimiter& downloadLimiter() { return m_download; }
    // The lines in which the node's connections take turns under each cap.
    BandwidthQueue& uploadQueue() { return m_uploadQueue; }
    BandwidthQueue& downloadQueue() { return m_downloadQueue; }

    SimTime latency() const { return m_latency; }
    SimTime jitter() const { return m_jitter; }
    // One-way, applied to each direction; affects data sent or received from now on.
    void setLatency(SimTime latency, SimTime jitter = SimTime::zero());

    // No caps and no latency: streams hand data straight through.
    bool isTransparent() const {
        return m_upload.isUnlimited() && m_download.isUnlimited() && m_latency.count() == 0 &&
               m_jitter.count() == 0;
    }

    // A fresh seed for one delay line of one connection, from a reproducible sequence.
    quint64 nextSeed();

signals:
    void changed();

private:
    Scheduler& m_scheduler;
    RateLimiter m_upload;
    RateLimiter m_download;
    BandwidthQueue m_uploadQueue;
    BandwidthQueue m_downloadQueue;
    SimTime m_latency = SimTime::zero();
    SimTime m_jitter = SimTime::zero();
    quint64 m_seedState;
};

} // namespace swarmscope
