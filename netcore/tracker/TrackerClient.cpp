#include "tracker/TrackerClient.h"

#include "tracker/HttpClient.h"
#include "tracker/HttpUrl.h"
#include "tracker/UdpTrackerClient.h"
#include "transport/TcpNode.h"

#include <algorithm>
#include <climits>

namespace swarmscope {

namespace {

TrackerClientConfig withNetwork(TrackerClientConfig config, std::unique_ptr<TcpNode>& own) {
    if (!config.network) {
        own = std::make_unique<TcpNode>();
        config.network = &own->network();
    }
    if (!config.clock)
        config.clock = [scheduler = &config.network->scheduler()] { return scheduler->nowMs(); };
    return config;
}

} // namespace

TrackerClient::TrackerClient(const TrackerClientConfig& config, QObject* parent)
    : QObject(parent), m_config(withNetwork(config, m_ownNetwork)),
      m_http(new HttpClient(*m_config.network, this)),
      m_udp(new UdpTrackerClient(*m_config.network, m_config.clock, config.randomSeed, this)),
      m_timer(m_config.network->scheduler(), [this] { tick(); }),
      m_random(config.randomSeed != 0 ? config.randomSeed : std::random_device{}()) {
    for (const QStringList& tier : std::as_const(m_config.tiers)) {
        QStringList urls;
        for (const QString& url : tier)
            if (!url.trimmed().isEmpty())
                urls.append(url.trimmed());
        if (urls.isEmpty())
            continue;
        if (m_config.shuffleTiers)
            std::shuffle(urls.begin(), urls.end(), m_random);
        m_tiers.append(urls);
    }
    // The key lets a tracker recognise this client across address changes; it is not a secret.
    m_udpKey = quint32(m_random());
    m_key = QByteArray::number(m_udpKey, 16).rightJustified(8, '0');
    connect(m_http, &HttpClient::finished, this, &TrackerClient::onFinished);
}

TrackerClient::~TrackerClient() {
    // Its connection reads the network's link: it goes before the network this client may own.
    delete m_http;
    delete m_udp;
}

qint64 TrackerClient::retryDelayMs(int failures, qint64 baseMs, qint64 maxMs) {
    qint64 delay = baseMs;
    for (int i = 1; i < failures && delay < maxMs; ++i)
        delay *= 2;
    return std::min(delay, maxMs);
}

int TrackerClient::trackerCount() const {
    int count = 0;
    for (const QStringList& tier : m_tiers)
        count += int(tier.size());
    return count;
}

bool TrackerClient::isBusy() const {
    return m_http->isBusy() || m_udp->isBusy();
}

QString TrackerClient::currentUrl() const {
    if (m_tier >= m_tiers.size() || m_index >= m_tiers.at(m_tier).size())
        return {};
    return m_tiers.at(m_tier).at(m_index);
}

AnnounceEvent TrackerClient::eventFor(const QString& url) const {
    if (!m_startedSent.contains(url))
        return AnnounceEvent::Started;
    if (m_completedPending)
        return AnnounceEvent::Completed;
    return AnnounceEvent::None;
}

void TrackerClient::start() {
    if (m_state == State::Running || m_state == State::Stopping)
        return;
    m_state = State::Running;
    m_tier = 0;
    m_index = 0;
    m_failures = 0;
    m_startedSent.clear();
    m_completedPending = false;
    m_lastSuccessMs = -1;
    m_minIntervalMs = 0;
    m_nextAnnounceMs = now();
    if (trackerCount() == 0) {
        m_config.network->scheduler().post(
            this, [this] { emit announceFailed(QString(), QStringLiteral("no tracker URL")); });
        return;
    }
    m_timer.start(SimTime::zero());
}

void TrackerClient::complete() {
    if (m_completedPending)
        return;
    m_completedPending = true;
    // Events go out at once; min interval only throttles regular announces.
    if (m_state == State::Running && !isBusy() && m_failures == 0) {
        m_nextAnnounceMs = now();
        m_timer.start(SimTime::zero());
    }
}

void TrackerClient::flushCompleted() {
    if (m_state != State::Running || isBusy() || !m_completedPending)
        return;
    m_timer.stop();
    send(currentUrl(), eventFor(currentUrl()));
}

void TrackerClient::announceNow() {
    if (m_state != State::Running || isBusy())
        return;
    const qint64 earliest = m_lastSuccessMs < 0 ? now() : std::max(now(), m_lastSuccessMs + m_minIntervalMs);
    m_nextAnnounceMs = std::min(m_nextAnnounceMs, earliest);
    armTimer();
}

void TrackerClient::tick() {
    if (m_state != State::Running || isBusy())
        return;
    if (now() < m_nextAnnounceMs) {
        armTimer();
        return;
    }
    const QString url = currentUrl();
    send(url, eventFor(url));
}

void TrackerClient::armTimer() {
    if (m_state != State::Running)
        return;
    const qint64 wait = std::clamp<qint64>(m_nextAnnounceMs - now(), 0, INT_MAX);
    m_timer.startMs(wait);
}

void TrackerClient::send(const QString& url, AnnounceEvent event) {
    const TrackerTransferStats stats = m_stats ? m_stats() : TrackerTransferStats{};
    AnnounceRequest request;
    request.infoHash = m_config.infoHash;
    request.peerId = m_config.peerId;
    request.port = m_config.port;
    request.uploaded = stats.uploaded;
    request.downloaded = stats.downloaded;
    request.left = stats.left;
    request.event = event;
    request.numwant = event == AnnounceEvent::Stopped ? 0 : std::max(0, m_config.numwant);
    request.compact = true;
    request.ip = m_config.ip;
    request.key = m_key;
    request.trackerId = m_trackerIds.value(url);

    const int timeoutMs =
        event == AnnounceEvent::Stopped ? m_config.stopTimeoutMs : m_config.requestTimeoutMs;
    m_inFlightUrl = url;
    m_inFlightEvent = event;
    if (isUdpTrackerUrl(url)) {
        m_udp->announce(url, request, m_udpKey, timeoutMs,
                        [this](const UdpTrackerResult& result) { onUdpFinished(result); });
        return;
    }
    HttpClientRequest http;
    http.url = appendQuery(url, request.toQuery());
    http.timeoutMs = timeoutMs;
    http.maxResponseBytes = m_config.maxResponseBytes;
    m_http->start(http);
}

void TrackerClient::onUdpFinished(const UdpTrackerResult& result) {
    if (m_state == State::Stopping) {
        finishStop();
        return;
    }
    if (m_state != State::Running)
        return;
    if (!result.ok)
        return onFailure(m_inFlightUrl, result.error);
    onSuccess(m_inFlightUrl, m_inFlightEvent, result.announce);
}

void TrackerClient::onFinished(const HttpClientResponse& http) {
    if (m_state == State::Stopping) {
        finishStop();
        return;
    }
    if (m_state != State::Running)
        return;
    const QString url = m_inFlightUrl;
    if (!http.ok)
        return onFailure(url, http.error);
    // Trackers put a bencoded failure reason in 4xx/5xx answers too; prefer it over the bare status.
    const AnnounceResponseParseResult parsed = parseAnnounceResponse(http.body);
    if (parsed.ok() && parsed.response->failed())
        return onFailure(url, parsed.response->failureReason);
    if (http.status != 200)
        return onFailure(url, QStringLiteral("HTTP status %1").arg(http.status));
    if (!parsed.ok())
        return onFailure(url, QStringLiteral("bad announce response: ") + parsed.error);
    onSuccess(url, m_inFlightEvent, *parsed.response);
}

void TrackerClient::onSuccess(const QString& url, AnnounceEvent event, const AnnounceResponse& response) {
    m_failures = 0;
    // BEP 12: the tracker that answered moves to the front of its tier, and announces keep going to it
    // until it fails.
    if (m_tier < m_tiers.size() && m_index < m_tiers.at(m_tier).size() &&
        m_tiers.at(m_tier).at(m_index) == url)
        m_tiers[m_tier].move(m_index, 0);
    m_index = 0;
    if (event == AnnounceEvent::Started)
        m_startedSent.insert(url);
    if (event == AnnounceEvent::Completed)
        m_completedPending = false;
    if (!response.trackerId.isEmpty())
        m_trackerIds.insert(url, response.trackerId);

    const qint64 floorMs = qint64(std::max(1, m_config.minAnnounceSeconds)) * 1000;
    m_minIntervalMs = std::max(floorMs, qint64(response.minInterval.value_or(0)) * 1000);
    const qint64 intervalMs = std::max({floorMs, m_minIntervalMs, qint64(response.interval) * 1000});
    m_lastSuccessMs = now();
    m_nextAnnounceMs = m_completedPending ? m_lastSuccessMs : m_lastSuccessMs + intervalMs;
    m_lastResponse = response;

    if (!response.warningMessage.isEmpty())
        emit warning(url, response.warningMessage);
    emit announced(url, response);
    emit peersReceived(response.peers);
    armTimer();
}

void TrackerClient::onFailure(const QString& url, const QString& reason) {
    emit announceFailed(url, reason);
    if (m_state != State::Running)
        return;
    // Next tracker in order; when all have failed in this round, back off before starting over.
    if (++m_index >= m_tiers.value(m_tier).size()) {
        m_index = 0;
        ++m_tier;
    }
    if (m_tier >= m_tiers.size()) {
        m_tier = 0;
        ++m_failures;
        m_nextAnnounceMs = now() + retryDelayMs(m_failures, m_config.retryBaseMs, m_config.retryMaxMs);
    } else {
        m_nextAnnounceMs = now();
    }
    armTimer();
}

void TrackerClient::stop() {
    if (m_state == State::Stopping)
        return;
    m_timer.stop();
    m_http->abort();
    m_udp->abort();
    // Only a tracker that heard "started" needs to hear "stopped"; the one in use is the one to tell.
    QString url = m_startedSent.contains(currentUrl()) ? currentUrl() : QString();
    for (int t = 0; url.isEmpty() && t < m_tiers.size(); ++t)
        for (const QString& candidate : m_tiers.at(t))
            if (url.isEmpty() && m_startedSent.contains(candidate))
                url = candidate;
    if (m_state != State::Running || url.isEmpty()) {
        m_state = State::Stopping;
        m_config.network->scheduler().post(this, [this] { finishStop(); });
        return;
    }
    m_state = State::Stopping;
    send(url, AnnounceEvent::Stopped);
}

void TrackerClient::finishStop() {
    if (m_state != State::Stopping)
        return;
    m_state = State::Stopped;
    m_startedSent.clear();
    emit stopped();
}

} // namespace swarmscope
