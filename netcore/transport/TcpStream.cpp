#include "transport/TcpStream.h"

#include <algorithm>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace swarmscope {

namespace {

// The socket's read buffer under a download cap: a few grants, so reading keeps up with the cap while the
// rest stays in the kernel and the sender's window closes.
qint64 readBufferFor(const RateLimiter& limiter) {
    if (limiter.isUnlimited())
        return 0;
    return qMax(4 * BandwidthQueue::grantSize(limiter), qint64(64 * 1024));
}

} // namespace

TcpStream::TcpStream(QTcpSocket* socket, SimulatedLink& link, QObject* parent)
    : ByteStream(parent), m_socket(socket), m_link(link), m_outgoing(link.nextSeed()),
      m_incoming(link.nextSeed()), m_timer(link.scheduler(), [this] { pump(); }) {
    Q_ASSERT(socket);
    socket->setParent(this);
    m_wasConnected = socket->state() == QAbstractSocket::ConnectedState;
    connect(socket, &QTcpSocket::readyRead, this, &TcpStream::pump);
    connect(socket, &QTcpSocket::connected, this, [this] {
        m_wasConnected = true;
        emit connected();
        pump();
    });
    connect(socket, &QTcpSocket::bytesWritten, this, &TcpStream::pump);
    connect(socket, &QTcpSocket::stateChanged, this, [this](QAbstractSocket::SocketState state) {
        if (state != QAbstractSocket::UnconnectedState || m_peerClosed)
            return;
        m_peerClosed = true;
        const QAbstractSocket::SocketError error =
            m_socket ? m_socket->error() : QAbstractSocket::UnknownSocketError;
        if (m_error.isEmpty() && error != QAbstractSocket::UnknownSocketError &&
            error != QAbstractSocket::RemoteHostClosedError)
            m_error = m_socket->errorString();
        else if (m_error.isEmpty() && !m_wasConnected)
            m_error = QStringLiteral("connection failed");
        pump();
    });
    connect(&link, &SimulatedLink::changed, this, [this] {
        applyLink();
        pump();
    });
    applyLink();
    // Bytes may have arrived before this object existed; deliver them once the caller has connected to
    // readyRead().
    link.scheduler().post(this, [this] { pump(); });
}

TcpStream::~TcpStream() {
    leaveQueues();
}

void TcpStream::leaveQueues() {
    m_link.uploadQueue().remove(this);
    m_link.downloadQueue().remove(this);
}

ByteStream::State TcpStream::state() const {
    if (m_aborted || m_closedEmitted)
        return State::Closed;
    if (m_closeRequested)
        return State::Closing;
    return m_wasConnected ? State::Connected : State::Connecting;
}

QHostAddress TcpStream::peerAddress() const {
    return m_socket ? m_socket->peerAddress() : QHostAddress();
}

quint16 TcpStream::peerPort() const {
    return m_socket ? m_socket->peerPort() : 0;
}

qint64 TcpStream::socketReadLimit() const {
    const qint64 cap = readBufferFor(m_link.downloadLimiter());
    if (cap > 0 && m_readLimit > 0)
        return qMin(cap, m_readLimit);
    return qMax(cap, m_readLimit);
}

void TcpStream::applyLink() {
    m_outgoing.setLatency(m_link.latency(), m_link.jitter());
    m_incoming.setLatency(m_link.latency(), m_link.jitter());
    if (m_socket)
        m_socket->setReadBufferSize(socketReadLimit());
}

void TcpStream::setReadBufferLimit(qint64 bytes) {
    const UserCall call(this);
    m_readLimit = qMax<qint64>(0, bytes);
    applyLink();
    pump();
}

bool TcpStream::socketConnected() const {
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

quint64 TcpStream::write(QByteArray data) {
    const UserCall call(this);
    if (m_closeRequested || m_aborted || m_peerClosed)
        return 0;
    const quint64 id = ++m_lastWriteId;
    if (data.isEmpty())
        return id;
    if (m_sendQueue.empty() && m_link.uploadLimiter().isUnlimited() && m_outgoing.isPassThrough() &&
        socketConnected()) {
        // The common case of a transparent link: straight to the socket, no queue and no pump.
        m_sentUnreported += data.size();
        toSocket(std::move(data));
        postNotify();
        return id;
    }
    m_sendQueued += data.size();
    m_sendQueue.push_back({id, std::move(data)});
    pump();
    return id;
}

bool TcpStream::cancelWrite(quint64 id) {
    const UserCall call(this);
    for (auto it = m_sendQueue.begin(); it != m_sendQueue.end(); ++it) {
        if (it->id != id)
            continue;
        if (it == m_sendQueue.begin() && m_sendOffset > 0)
            return false; // partly across already
        m_sendQueued -= it->data.size();
        m_sendQueue.erase(it);
        if (m_closeRequested)
            pump(); // the last write before a close: the shutdown goes out now
        return true;
    }
    return false;
}

qint64 TcpStream::bytesToWrite() const {
    return m_sendQueued + (m_socket ? m_socket->bytesToWrite() : 0);
}

bool TcpStream::isFlushed() const {
    // What the kernel holds it sends on its own after the socket is closed.
    return m_sendQueued == 0 && m_outgoing.isEmpty() && (!m_socket || m_socket->bytesToWrite() == 0);
}

QByteArray TcpStream::readAll() {
    const UserCall call(this);
    QByteArray out = std::exchange(m_readBuffer, QByteArray());
    if (m_readLimit > 0 && m_socket && m_socket->bytesAvailable() > 0)
        m_link.scheduler().post(this, [this] { pump(); }); // room again
    return out;
}

QByteArray TcpStream::read(qint64 maxSize) {
    const UserCall call(this);
    if (maxSize >= m_readBuffer.size())
        return readAll();
    QByteArray out = m_readBuffer.first(qMax(maxSize, qint64(0)));
    m_readBuffer.remove(0, out.size());
    return out;
}

void TcpStream::close() {
    const UserCall call(this);
    if (m_closeRequested || m_aborted)
        return;
    m_closeRequested = true;
    pump();
}

void TcpStream::abort() {
    if (m_aborted)
        return;
    m_aborted = true;
    leaveQueues();
    m_outgoing.clear();
    m_incoming.clear();
    m_sendQueue.clear();
    m_sendOffset = 0;
    m_sendQueued = 0;
    m_readBuffer.clear();
    m_closeRequested = true;
    m_shutdownIssued = true;
    m_timer.stop();
    if (m_socket)
        m_socket->abort();
}

qint64 TcpStream::bandwidthWanted(Direction direction) const {
    if (m_aborted)
        return 0;
    if (direction == Direction::Upload)
        return socketConnected() ? m_sendQueued : 0;
    if (!m_socket)
        return 0;
    qint64 room = m_socket->bytesAvailable();
    if (m_readLimit > 0)
        room = qMin(room, m_readLimit - m_readBuffer.size() - m_incoming.queuedBytes());
    return qMax<qint64>(room, 0);
}

void TcpStream::bandwidthGranted(Direction direction, qint64 bytes) {
    if (direction == Direction::Upload)
        sendAcross(bytes);
    else
        readFromSocket(bytes, m_link.now());
    pump(); // deliver, finish a close, or (inside a pump) just go round once more
}

void TcpStream::toSocket(QByteArray data) {
    if (!m_socket || m_aborted)
        return;
    m_socket->write(data);
    // To the kernel now, not on the next loop turn: when a peer half-closes, Qt closes the socket as soon as
    // it reads the end, and drops whatever it still holds.
    m_socket->flush();
}

void TcpStream::sendAcross(qint64 bytes) {
    if (!socketConnected())
        return;
    qint64 moved = 0;
    const SimTime now = m_link.now();
    while (bytes > 0 && !m_sendQueue.empty()) {
        Chunk& front = m_sendQueue.front();
        const qint64 left = front.data.size() - m_sendOffset;
        const qint64 n = qMin(left, bytes);
        // A whole chunk is shared with the socket's buffer instead of copied.
        QByteArray piece = (m_sendOffset == 0 && n == left) ? front.data : front.data.mid(m_sendOffset, n);
        bytes -= n;
        moved += n;
        m_sendQueued -= n;
        if (n == left) {
            m_sendQueue.pop_front();
            m_sendOffset = 0;
        } else {
            m_sendOffset += n;
        }
        if (m_outgoing.isPassThrough())
            toSocket(std::move(piece));
        else
            m_outgoing.push(std::move(piece), now);
    }
    if (moved > 0) {
        m_sentUnreported += moved;
        postNotify();
    }
}

void TcpStream::readFromSocket(qint64 bytes, SimTime now) {
    if (!m_socket || bytes <= 0)
        return;
    QByteArray data = m_socket->read(bytes);
    if (data.isEmpty())
        return;
    if (m_incoming.isPassThrough())
        deliver(std::move(data));
    else
        m_incoming.push(std::move(data), now);
}

void TcpStream::deliver(QByteArray data) {
    m_delivered = true;
    if (m_readBuffer.isEmpty())
        m_readBuffer = std::move(data);
    else
        m_readBuffer.append(data);
}

void TcpStream::finishClose() {
    if (!m_closeRequested || m_shutdownIssued || !m_outgoing.isEmpty() || !m_sendQueue.empty())
        return;
    if (!socketConnected()) {
        // Closed before the connection was up (or after it went down): nothing more to say.
        m_shutdownIssued = true;
        if (m_socket && m_socket->state() != QAbstractSocket::UnconnectedState)
            m_socket->abort();
        m_peerClosed = true;
        return;
    }
    if (m_socket->bytesToWrite() > 0) {
        m_socket->flush();
        if (m_socket->bytesToWrite() > 0)
            return; // again on bytesWritten()
    }
    m_shutdownIssued = true;
#ifdef Q_OS_UNIX
    if (m_socket->socketDescriptor() >= 0 && ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR) == 0)
        return; // the peer sees the end of our data; we read on until it closes too
#endif
    m_socket->disconnectFromHost();
}

void TcpStream::pump() {
    if (m_inPump) {
        m_pumpAgain = true;
        return;
    }
    m_inPump = true;
    do {
        m_pumpAgain = false;
        if (m_aborted)
            break;
        const SimTime now = m_link.now();
        for (QByteArray& chunk : m_outgoing.popReady(now))
            toSocket(std::move(chunk));
        if (m_sendQueued > 0 && socketConnected()) {
            if (m_link.uploadLimiter().isUnlimited())
                sendAcross(m_sendQueued);
            else
                m_link.uploadQueue().enqueue(this); // may grant at once, which comes back here
        }
        if (bandwidthWanted(Direction::Download) > 0) {
            if (m_link.downloadLimiter().isUnlimited())
                readFromSocket(bandwidthWanted(Direction::Download), now);
            else
                m_link.downloadQueue().enqueue(this);
        }
        for (QByteArray& chunk : m_incoming.popReady(now))
            deliver(std::move(chunk));
        finishClose();
    } while (m_pumpAgain);
    schedule();
    m_inPump = false;
    if (!m_delivered && m_sentUnreported == 0 && !(m_peerClosed && !m_closedEmitted))
        return;
    // From the event loop (the socket, a timer, a grant), at once, as QTcpSocket itself does: an answer
    // written in readyRead() then reaches the socket before Qt sees a half-closed peer's end and closes.
    // From inside a call of our user, later.
    if (m_callDepth > 0)
        postNotify();
    else
        notify();
}

void TcpStream::postNotify() {
    if (m_notifyPosted)
        return;
    m_notifyPosted = true;
    m_link.scheduler().post(this, [this] {
        m_notifyPosted = false;
        notify();
    });
}

void TcpStream::notify() {
    // Each signal may lead a slot to write, read, close, or delete this object (with deleteLater).
    QPointer<TcpStream> self(this);
    // Even after abort(): these bytes crossed the link (most are in the kernel, on their way), and each
    // byte uploaded is counted once.
    if (const qint64 sent = std::exchange(m_sentUnreported, 0); sent > 0)
        emit bytesSent(sent);
    if (!self || m_aborted)
        return;
    if (std::exchange(m_delivered, false))
        emit readyRead();
    if (!self || m_aborted)
        return;
    const bool drained = (!m_socket || m_socket->bytesAvailable() == 0) && m_incoming.isEmpty();
    if (m_peerClosed && drained && !m_closedEmitted) {
        m_closedEmitted = true;
        leaveQueues();
        m_timer.stop();
        emit closed();
    }
}

void TcpStream::schedule() {
    std::optional<SimTime> wake = m_outgoing.nextDeadline();
    if (const auto due = m_incoming.nextDeadline(); due && (!wake || *due < *wake))
        wake = due;
    if (!wake || m_aborted) {
        m_timer.stop();
        return;
    }
    if (!m_timer.isActive() || m_timer.deadline() != *wake)
        m_timer.startAt(*wake);
}

} // namespace swarmscope
