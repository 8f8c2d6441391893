#include "sim/SimulatedLink.h"

namespace swarmscope {

SimulatedLink::SimulatedLink(Scheduler& scheduler, quint64 seed, QObject* parent)
    : QObject(parent), m_scheduler(scheduler), m_upload(0, scheduler.now()), m_download(0, scheduler.now()),
      m_uploadQueue(Direction::Upload, m_upload, scheduler),
      m_downloadQueue(Direction::Download, m_download, scheduler), m_seedState(seed) {}

void SimulatedLink::setUploadRate(qint64 bytesPerSecond) {
    if (bytesPerSecond == m_upload.rate())
        return;
    m_upload.setRate(bytesPerSecond, now());
    m_uploadQueue.serve();
    emit changed();
}

void SimulatedLink::setDownloadRate(qint64 bytesPerSecond) {
    if (bytesPerSecond == m_download.rate())
        return;
    m_download.setRate(bytesPerSecond, now());
    m_downloadQueue.serve();
    emit changed();
}

void SimulatedLink::setLatency(SimTime latency, SimTime jitter) {
    latency = qMax(latency, SimTime::zero());
    jitter = qMax(jitter, SimTime::zero());
    if (latency == m_latency && jitter == m_jitter)
        return;
    m_latency = latency;
    m_jitter = jitter;
    emit changed();
}

quint64 SimulatedLink::nextSeed() {
    // splitmix64 over the link's seed: distinct, well-mixed seeds for each delay line.
    quint64 z = (m_seedState += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

} // namespace swarmscope
