#include "transport/SimNetwork.h"

#include "sim/SimulatedLink.h"
#include "transport/SimStream.h"

#include <algorithm>

namespace swarmscope {

namespace {

constexpr qint64 kMinWindow = 256 * 1024;
constexpr qint64 kMaxWindow = 64LL * 1024 * 1024;
// What an unlimited link is taken to carry when sizing a window.
constexpr qint64 kNominalRate = 1LL << 30;

quint64 splitmix(quint64& state) {
    quint64 z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

SimTime jittered(SimTime latency, SimTime jitter, quint64& rng) {
    SimTime delay = latency;
    if (jitter.count() > 0)
        delay += SimTime(qint64(splitmix(rng) % quint64(jitter.count() + 1)));
    return delay;
}

} // namespace

// One direction of a connection: the sender's queue, the bytes on their way, the receiver's queue.
struct SimPipe {
    struct Chunk {
        quint64 id;
        QByteArray data;
    };
    enum class Kind { Data, Fin, Reset };
    // Bytes [from, to) of a written chunk, shared with it rather than copied.
    struct Slice {
        QByteArray data;
        qsizetype from = 0;
        qsizetype to = 0;
        qsizetype size() const { return to - from; }
    };
    struct InFlight {
        SimTime due;
        Kind kind;
        Slice data;
    };

    // At the sender: written, waiting for its upload cap.
    std::deque<Chunk> sendQueue;
    qsizetype sendOffset = 0;
    qint64 sendQueued = 0;
    bool finQueued = false; // the sender closed: a FIN follows the queue
    bool finSent = false;
    // On the way.
    std::deque<InFlight> line;
    SimTime lastDue = SimTime::zero();
    Scheduler::Id timer = 0;
    SimTime timerAt = SimTime::max();
    quint64 rng = 1;
    // At the receiver: arrived, waiting for its download cap (the receive buffer of TCP).
    std::deque<Slice> received; // the front's `from` advances as it is read
    qint64 receivedBytes = 0;
    bool finArrived = false;
    bool resetArrived = false;
    // Across the sender's cap and not yet in the receiver's read buffer: what the window bounds.
    qint64 inFlight = 0;
};

struct SimConnection : std::enable_shared_from_this<SimConnection> {
    SimNetwork* fabric = nullptr;
    Scheduler* clock = nullptr;
    SimStream* ends[2] = {nullptr, nullptr};
    // A link is its host's; an end that is destroyed leaves its latency behind (what is still on its way
    // keeps the delays it was sent with) and no caps.
    SimulatedLink* links[2] = {nullptr, nullptr};
    SimTime leftLatency[2] = {SimTime::zero(), SimTime::zero()};
    SimTime leftJitter[2] = {SimTime::zero(), SimTime::zero()};
    QHostAddress addresses[2];
    quint16 ports[2] = {0, 0};
    SimPipe pipes[2]; // pipes[i] carries what end i sends
    bool counted = false;

    Scheduler& scheduler() const { return *clock; }

    SimTime latency(int side) const { return links[side] ? links[side]->latency() : leftLatency[side]; }
    SimTime jitter(int side) const { return links[side] ? links[side]->jitter() : leftJitter[side]; }

    void release(int side) {
        if (!links[side])
            return;
        leftLatency[side] = links[side]->latency();
        leftJitter[side] = links[side]->jitter();
        links[side] = nullptr;
    }

    qint64 window(int from) const {
        const qint64 up = links[from] ? links[from]->uploadRate() : 0;
        const qint64 down = links[1 - from] ? links[1 - from]->downloadRate() : 0;
        qint64 rate = kNominalRate;
        if (up > 0)
            rate = qMin(rate, up);
        if (down > 0)
            rate = qMin(rate, down);
        const qint64 rttUs =
            2 * (latency(0).count() + jitter(0).count() + latency(1).count() + jitter(1).count());
        // Two round trips of the bottleneck, like an autotuned TCP window; a window never limits a run that
        // its caps do not.
        const qint64 bdp = rttUs > 0 ? qint64(double(rate) * double(rttUs) * 2 / 1e6) : 0;
        return std::clamp(bdp + 64 * 1024, kMinWindow, kMaxWindow);
    }

    // Puts something on the way from end `from`; it arrives after both ends' latency, never before what was
    // sent before it.
    void transmit(int from, SimPipe::Kind kind, std::vector<SimPipe::Slice> slices = {}) {
        SimPipe& pipe = pipes[from];
        const SimTime now = scheduler().now();
        SimTime due = now + jittered(latency(from), jitter(from), pipe.rng) +
                      jittered(latency(1 - from), jitter(1 - from), pipe.rng);
        due = qMax(due, pipe.lastDue);
        pipe.lastDue = due;
        if (slices.empty())
            pipe.line.push_back({due, kind, {}});
        for (SimPipe::Slice& slice : slices)
            pipe.line.push_back({due, kind, std::move(slice)});
        arm(from);
    }

    void arm(int from) {
        SimPipe& pipe = pipes[from];
        if (pipe.line.empty())
            return;
        const SimTime due = pipe.line.front().due;
        if (pipe.timer != 0 && pipe.timerAt <= due)
            return;
        if (pipe.timer != 0)
            scheduler().cancel(pipe.timer);
        pipe.timerAt = due;
        pipe.timer = scheduler().callAt(due, [self = shared_from_this(), from] { self->arrive(from); });
    }

    void arrive(int from) {
        SimPipe& pipe = pipes[from];
        pipe.timer = 0;
        pipe.timerAt = SimTime::max();
        const SimTime now = scheduler().now();
        const int to = 1 - from;
        while (!pipe.line.empty() && pipe.line.front().due <= now) {
            SimPipe::InFlight item = std::move(pipe.line.front());
            pipe.line.pop_front();
            switch (item.kind) {
            case SimPipe::Kind::Data:
                if (ends[to]) {
                    pipe.receivedBytes += item.data.size();
                    pipe.received.push_back(std::move(item.data));
                } else {
                    // Nobody at the other end any more: the bytes are lost, the window opens.
                    pipe.inFlight -= item.data.size();
                }
                break;
            case SimPipe::Kind::Fin:
                pipe.finArrived = true;
                break;
            case SimPipe::Kind::Reset:
                pipe.resetArrived = true;
                break;
            }
        }
        arm(from);
        if (ends[to])
            ends[to]->pumpDownload();
        else if (ends[from])
            ends[from]->pumpUpload();
    }
};

// ---------------------------------------------------------------------------------------------------------
// SimNetwork and its hosts

SimNetwork::SimNetwork(Scheduler& scheduler) : m_scheduler(scheduler) {}

SimNetwork::~SimNetwork() = default;

quint64 SimNetwork::key(const QHostAddress& address, quint16 port) {
    bool v4 = false;
    const quint32 ip = address.toIPv4Address(&v4);
    if (v4)
        return (quint64(ip) << 16) | port;
    return (quint64(qHash(address.toString())) << 16) | port;
}

std::unique_ptr<SimHost> SimNetwork::addHost(const QHostAddress& address, SimulatedLink& link) {
    if (m_hosts.contains(key(address)))
        return nullptr;
    std::unique_ptr<SimHost> host(new SimHost(*this, address, link));
    m_hosts.insert(key(address), host.get());
    return host;
}

void SimNetwork::removeHost(SimHost* host) {
    const auto it = m_hosts.find(key(host->address()));
    if (it != m_hosts.end() && *it == host)
        m_hosts.erase(it);
}

bool SimNetwork::registerListener(SimListener* listener) {
    const quint64 k = key(listener->address(), listener->port());
    if (m_listeners.contains(k))
        return false;
    m_listeners.insert(k, listener);
    return true;
}

void SimNetwork::unregisterListener(SimListener* listener) {
    const auto it = m_listeners.find(key(listener->address(), listener->port()));
    if (it != m_listeners.end() && *it == listener)
        m_listeners.erase(it);
}

SimListener* SimNetwork::listenerAt(const QHostAddress& address, quint16 port) const {
    return m_listeners.value(key(address, port));
}

SimHost::SimHost(SimNetwork& fabric, const QHostAddress& address, SimulatedLink& link)
    : m_fabric(fabric), m_address(address), m_link(link) {}

SimHost::~SimHost() {
    m_fabric.removeHost(this);
}

quint16 SimHost::ephemeralPort() {
    // Deterministic, and clear of the ports lab peers listen on.
    const quint16 port = m_nextEphemeral;
    m_nextEphemeral = m_nextEphemeral >= 65000 ? 40000 : quint16(m_nextEphemeral + 1);
    return port;
}

Listener* SimHost::listen(const QHostAddress& address, quint16 port, int backlog, QString* error,
                          QObject* parent) {
    const bool wildcard = address == QHostAddress::Any || address == QHostAddress::AnyIPv4 ||
                          address == QHostAddress::AnyIPv6 || address.isNull();
    if (!wildcard && !address.isEqual(m_address, QHostAddress::TolerantConversion)) {
        if (error)
            *error =
                QStringLiteral("the address is not available (%1 is not this host)").arg(address.toString());
        return nullptr;
    }
    if (port == 0) {
        // The first free port from 6881 up, as clients do.
        port = 6881;
        while (m_fabric.listenerAt(m_address, port) && port < 65535)
            ++port;
    }
    auto* listener = new SimListener(m_fabric, m_address, port, backlog, parent);
    if (!m_fabric.registerListener(listener)) {
        delete listener;
        if (error)
            *error = QStringLiteral("the address is already in use");
        return nullptr;
    }
    listener->m_listening = true;
    return listener;
}

ByteStream* SimHost::connectTo(const QHostAddress& address, quint16 port, QObject* parent) {
    auto connection = std::make_shared<SimConnection>();
    connection->fabric = &m_fabric;
    connection->clock = &m_fabric.scheduler();
    connection->links[0] = &m_link;
    connection->addresses[0] = m_address;
    connection->ports[0] = ephemeralPort();
    connection->addresses[1] = address;
    connection->ports[1] = port;
    connection->pipes[0].rng = m_link.nextSeed();
    auto* stream = new SimStream(connection, 0, parent);
    connection->ends[0] = stream;

    Scheduler& scheduler = m_fabric.scheduler();
    SimHost* target = m_fabric.host(address);
    const SimTime out = m_link.latency() + (target ? target->m_link.latency() : SimTime::zero());
    // The handshake: SYN, then SYN-ACK or a refusal, each one way.
    scheduler.callAfter(out, [connection, target, out, &scheduler] {
        SimStream* client = connection->ends[0];
        SimListener* listener =
            target ? connection->fabric->listenerAt(connection->addresses[1], connection->ports[1]) : nullptr;
        if (!client || client->m_closeRequested)
            return; // gave up meanwhile
        if (!listener) {
            const QString error =
                target ? QStringLiteral("connection refused") : QStringLiteral("host unreachable");
            scheduler.callAfter(out, [connection, error] {
                if (SimStream* end = connection->ends[0])
                    end->fail(error);
            });
            return;
        }
        connection->links[1] = &target->m_link;
        connection->pipes[1].rng = target->m_link.nextSeed();
        auto* server = new SimStream(connection, 1);
        connection->ends[1] = server;
        if (!listener->accept(server)) {
            connection->ends[1] = nullptr;
            delete server;
            scheduler.callAfter(out, [connection] {
                if (SimStream* end = connection->ends[0])
                    end->fail(QStringLiteral("connection refused"));
            });
            return;
        }
        connection->counted = true;
        ++connection->fabric->m_connections;
        server->onEstablished();
        scheduler.callAfter(out, [connection] {
            if (SimStream* end = connection->ends[0])
                end->onEstablished();
        });
        emit listener->newConnection();
    });
    return stream;
}

ByteStream* SimHost::connectToHost(const QString& host, quint16 port, QObject* parent) {
    QHostAddress address;
    if (address.setAddress(host))
        return connectTo(address, port, parent);
    // Reached through an address nobody has, so it fails the way an unknown host does.
    ByteStream* stream = connectTo(QHostAddress(QHostAddress::Broadcast), port, parent);
    return stream;
}

// ---------------------------------------------------------------------------------------------------------
// SimListener

SimListener::SimListener(SimNetwork& fabric, const QHostAddress& address, quint16 port, int backlog,
                         QObject* parent)
    : Listener(parent), m_fabric(fabric), m_address(address), m_port(port), m_backlog(qMax(1, backlog)) {}

SimListener::~SimListener() {
    close();
    for (SimStream* stream : m_pending)
        delete stream;
}

bool SimListener::accept(SimStream* stream) {
    if (!m_listening || qsizetype(m_pending.size()) >= m_backlog)
        return false;
    m_pending.push_back(stream);
    return true;
}

ByteStream* SimListener::nextPendingConnection() {
    if (m_pending.empty())
        return nullptr;
    SimStream* stream = m_pending.front();
    m_pending.pop_front();
    return stream;
}

void SimListener::close() {
    if (!m_listening)
        return;
    m_listening = false;
    m_fabric.unregisterListener(this);
}

// ---------------------------------------------------------------------------------------------------------
// SimStream

SimStream::SimStream(std::shared_ptr<SimConnection> connection, int side, QObject* parent)
    : ByteStream(parent), m_connection(std::move(connection)), m_side(side) {}

SimStream::~SimStream() {
    if (!m_closed || m_draining)
        abort();
    detach();
    for (Scheduler::Id& id : m_posts)
        if (id != 0)
            m_connection->scheduler().cancel(std::exchange(id, 0));
    // The link may go with its host before the other end is done.
    if (m_connection)
        m_connection->release(m_side);
}

void SimStream::detach() {
    leaveQueues();
    if (m_connection && m_connection->ends[m_side] == this) {
        m_connection->ends[m_side] = nullptr;
        if (m_connection->counted && !m_connection->ends[1 - m_side]) {
            m_connection->counted = false;
            --m_connection->fabric->m_connections;
        }
    }
}

SimulatedLink& SimStream::link() const {
    return *m_connection->links[m_side];
}

void SimStream::leaveQueues() {
    if (!m_connection || !m_connection->links[m_side])
        return;
    link().uploadQueue().remove(this);
    link().downloadQueue().remove(this);
}

ByteStream::State SimStream::state() const {
    if (m_closed)
        return State::Closed;
    if (m_closeRequested)
        return State::Closing;
    return m_established ? State::Connected : State::Connecting;
}

QHostAddress SimStream::peerAddress() const {
    return m_connection->addresses[1 - m_side];
}

quint16 SimStream::peerPort() const {
    return m_connection->ports[1 - m_side];
}

void SimStream::onEstablished() {
    if (m_closed || m_closeRequested)
        return; // given up while the handshake was on its way
    m_established = true;
    if (m_side == 0)
        emit connected();
    pumpUpload();
}

void SimStream::fail(const QString& error) {
    if (m_closed)
        return;
    m_error = error;
    m_closeRequested = true;
    leaveQueues();
    SimPipe& out = m_connection->pipes[m_side];
    out.sendQueue.clear();
    out.sendQueued = 0;
    out.sendOffset = 0;
    resetAbandonedServerEnd();
    postClosed();
}

quint64 SimStream::write(QByteArray data) {
    if (m_closeRequested || m_closed)
        return 0;
    const quint64 id = ++m_lastWriteId;
    if (data.isEmpty())
        return id;
    SimPipe& out = m_connection->pipes[m_side];
    out.sendQueued += data.size();
    out.sendQueue.push_back({id, std::move(data)});
    pumpUpload();
    return id;
}

bool SimStream::cancelWrite(quint64 id) {
    SimPipe& out = m_connection->pipes[m_side];
    for (auto it = out.sendQueue.begin(); it != out.sendQueue.end(); ++it) {
        if (it->id != id)
            continue;
        if (it == out.sendQueue.begin() && out.sendOffset > 0)
            return false;
        out.sendQueued -= it->data.size();
        out.sendQueue.erase(it);
        if (out.finQueued)
            pumpUpload(); // the last write before a close: the end goes out now
        return true;
    }
    return false;
}

qint64 SimStream::bytesToWrite() const {
    return m_connection->pipes[m_side].sendQueued;
}

QByteArray SimStream::readAll() {
    QByteArray out = std::exchange(m_readBuffer, QByteArray());
    if (m_readLimit > 0 && !out.isEmpty())
        postOwn(PostPump, [this] { pumpDownload(); }); // room again
    return out;
}

QByteArray SimStream::read(qint64 maxSize) {
    if (maxSize >= m_readBuffer.size())
        return readAll();
    QByteArray out = m_readBuffer.first(qMax(maxSize, qint64(0)));
    m_readBuffer.remove(0, out.size());
    if (m_readLimit > 0 && !out.isEmpty())
        postOwn(PostPump, [this] { pumpDownload(); });
    return out;
}

void SimStream::setReadBufferLimit(qint64 bytes) {
    m_readLimit = qMax<qint64>(0, bytes);
    pumpDownload();
}

void SimStream::close() {
    if (m_closeRequested || m_closed)
        return;
    m_closeRequested = true;
    if (!m_established) {
        // Nothing was ever sent: give up the attempt.
        fail(QString());
        return;
    }
    m_connection->pipes[m_side].finQueued = true;
    pumpUpload();
}

void SimStream::abort() {
    if (m_closed && !m_draining)
        return;
    m_closed = true;
    m_draining = false;
    m_closeRequested = true;
    leaveQueues();
    SimPipe& out = m_connection->pipes[m_side];
    out.sendQueue.clear();
    out.sendQueued = 0;
    out.sendOffset = 0;
    m_readBuffer.clear();
    // What is on its way still arrives; the reset follows it.
    if (m_established && !out.finSent) {
        out.finSent = true;
        m_connection->transmit(m_side, SimPipe::Kind::Reset, {});
    }
    resetAbandonedServerEnd();
    detach();
}

void SimStream::resetAbandonedServerEnd() {
    // Given up while the SYN-ACK was on its way: the server has an end already, and must hear of it.
    SimPipe& out = m_connection->pipes[m_side];
    if (m_established || out.finSent || !m_connection->ends[1 - m_side])
        return;
    out.finSent = true;
    m_connection->transmit(m_side, SimPipe::Kind::Reset, {});
}

qint64 SimStream::bandwidthWanted(Direction direction) const {
    if (!m_connection || (m_closed && !m_draining))
        return 0;
    if (direction == Direction::Upload) {
        const SimPipe& out = m_connection->pipes[m_side];
        if (!m_established || out.sendQueued == 0)
            return 0;
        return qMax<qint64>(0, qMin(out.sendQueued, m_connection->window(m_side) - out.inFlight));
    }
    if (m_closed)
        return 0; // draining: reading is over
    const SimPipe& in = m_connection->pipes[1 - m_side];
    qint64 room = in.receivedBytes;
    if (m_readLimit > 0)
        room = qMin(room, m_readLimit - m_readBuffer.size());
    return qMax<qint64>(0, room);
}

void SimStream::bandwidthGranted(Direction direction, qint64 bytes) {
    if (direction == Direction::Upload)
        sendAcross(bytes);
    else
        receive(bytes);
}

void SimStream::pumpUpload() {
    if ((m_closed && !m_draining) || !m_established)
        return;
    SimPipe& out = m_connection->pipes[m_side];
    if (out.sendQueued > 0) {
        if (link().uploadLimiter().isUnlimited())
            sendAcross(bandwidthWanted(Direction::Upload));
        else if (bandwidthWanted(Direction::Upload) > 0)
            link().uploadQueue().enqueue(this); // may grant at once
    }
    if (out.finQueued && !out.finSent && out.sendQueued == 0) {
        out.finSent = true;
        m_draining = false;
        m_connection->transmit(m_side, SimPipe::Kind::Fin, {});
    }
}

void SimStream::sendAcross(qint64 bytes) {
    SimPipe& out = m_connection->pipes[m_side];
    qint64 moved = 0;
    std::vector<SimPipe::Slice> batch;
    while (bytes > 0 && !out.sendQueue.empty()) {
        SimPipe::Chunk& front = out.sendQueue.front();
        const qint64 left = front.data.size() - out.sendOffset;
        const qint64 n = qMin(left, bytes);
        batch.push_back({front.data, out.sendOffset, out.sendOffset + n}); // shared, not copied
        bytes -= n;
        moved += n;
        out.sendQueued -= n;
        if (n == left) {
            out.sendQueue.pop_front();
            out.sendOffset = 0;
        } else {
            out.sendOffset += n;
        }
    }
    if (moved == 0)
        return;
    out.inFlight += moved;
    m_connection->transmit(m_side, SimPipe::Kind::Data, std::move(batch));
    if (out.finQueued && !out.finSent && out.sendQueued == 0) {
        out.finSent = true;
        m_draining = false;
        m_connection->transmit(m_side, SimPipe::Kind::Fin, {});
    }
    postBytesSent(moved);
}

void SimStream::postOwn(Post kind, std::function<void()> f) {
    // One of each kind at a time: a second would find the first's work done. The destructor takes back what
    // is still to run, so no guard is needed (QPointer's weak reference costs more than the post itself).
    if (m_posts[kind] != 0)
        return;
    m_posts[kind] = m_connection->scheduler().post([this, kind, f = std::move(f)] {
        m_posts[kind] = 0;
        f();
    });
}

void SimStream::postBytesSent(qint64 bytes) {
    const bool posted = m_sentUnreported > 0;
    m_sentUnreported += bytes;
    if (posted)
        return;
    postOwn(PostBytesSent, [this] {
        if (const qint64 sent = std::exchange(m_sentUnreported, 0); sent > 0)
            emit bytesSent(sent);
    });
}

void SimStream::pumpDownload() {
    if (m_closed) {
        // A reset while our last bytes still go out: nobody will read them.
        if (m_draining && m_connection->pipes[1 - m_side].resetArrived)
            abort();
        return;
    }
    const qint64 wanted = bandwidthWanted(Direction::Download);
    if (wanted > 0) {
        if (link().downloadLimiter().isUnlimited())
            receive(wanted);
        else
            link().downloadQueue().enqueue(this);
    }
    const SimPipe& in = m_connection->pipes[1 - m_side];
    if (in.receivedBytes == 0 && (in.finArrived || in.resetArrived)) {
        if (in.resetArrived && m_error.isEmpty())
            m_error = QStringLiteral("connection reset by peer");
        postClosed();
    }
}

void SimStream::receive(qint64 bytes) {
    SimPipe& in = m_connection->pipes[1 - m_side];
    qint64 moved = 0;
    while (bytes > 0 && !in.received.empty()) {
        SimPipe::Slice& front = in.received.front();
        const qint64 left = front.size();
        const qint64 n = qMin(left, bytes);
        if (m_readBuffer.isEmpty() && front.from == 0 && n == front.data.size())
            m_readBuffer = std::move(front.data); // a whole chunk: shared, not copied
        else
            m_readBuffer.append(front.data.constData() + front.from, n);
        bytes -= n;
        moved += n;
        if (n == left)
            in.received.pop_front();
        else
            front.from += n;
    }
    if (moved == 0)
        return;
    in.receivedBytes -= moved;
    in.inFlight -= moved;
    postReadyRead();
    // The window opened: the sender may go on.
    if (SimStream* sender = m_connection->ends[1 - m_side])
        sender->pumpUpload();
    if (in.receivedBytes == 0 && (in.finArrived || in.resetArrived))
        pumpDownload();
}

void SimStream::postReadyRead() {
    if (m_readyPosted)
        return;
    m_readyPosted = true;
    postOwn(PostReadyRead, [this] {
        m_readyPosted = false;
        if (!m_closed && !m_readBuffer.isEmpty())
            emit readyRead();
    });
}

void SimStream::postClosed() {
    if (m_closedPosted)
        return;
    m_closedPosted = true;
    // After the readyRead() that carries the last bytes.
    postOwn(PostClosed, [this] {
        if (m_closed)
            return;
        m_closed = true;
        SimPipe& out = m_connection->pipes[m_side];
        if (m_established && m_error.isEmpty() && !out.finSent) {
            // The peer ended its direction. This end is closed too, as a TCP socket is once Qt reads the
            // peer's end, but what was written before still goes out, and then our end follows it.
            m_closeRequested = true;
            m_draining = true;
            out.finQueued = true;
            link().downloadQueue().remove(this);
            pumpUpload();
        } else {
            leaveQueues();
        }
        emit closed();
    });
}

} // namespace swarmscope
