#include "sim/ShapedSocket.h"

#include <QTimer>

#include <limits>

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

ShapedSocket::ShapedSocket(QTcpSocket* socket, SimulatedLink* link, QObject* parent)
    : QObject(parent), m_socket(socket), m_link(link), m_outgoing(link->nextSeed()),
      m_incoming(link->nextSeed()) {
    Q_ASSERT(socket && link);
    connect(socket, &QTcpSocket::readyRead, this, &ShapedSocket::pump);
    connect(socket, &QTcpSocket::connected, this, &ShapedSocket::pump);
    connect(socket, &QTcpSocket::bytesWritten, this, &ShapedSocket::bytesWritten);
    connect(socket, &QTcpSocket::stateChanged, this, [this](QAbstractSocket::SocketState state) {
        if (state != QAbstractSocket::UnconnectedState)
            return;
        m_peerClosed = true;
        pump();
    });
    connect(link, &SimulatedLink::changed, this, [this] {
        applyLink();
        pump();
    });
    applyLink();
    // Bytes may have arrived before this object existed; deliver them once the caller has connected to
    // readyRead().
    QMetaObject::invokeMethod(this, &ShapedSocket::pump, Qt::QueuedConnection);
}

ShapedSocket::~ShapedSocket() {
    leaveQueues();
}

void ShapedSocket::leaveQueues() {
    m_link->uploadQueue().remove(this);
    m_link->downloadQueue().remove(this);
}

void ShapedSocket::applyLink() {
    m_outgoing.setLatency(m_link->latency(), m_link->jitter());
    m_incoming.setLatency(m_link->latency(), m_link->jitter());
    if (m_socket)
        m_socket->setReadBufferSize(readBufferFor(m_link->downloadLimiter()));
}

bool ShapedSocket::canWriteToSocket() const {
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

void ShapedSocket::write(const QByteArray& data) {
    if (data.isEmpty() || m_closeRequested)
        return;
    if (m_outgoing.isPassThrough()) {
        // The common case of a transparent link: straight to the socket, no queue and no pump.
        if (m_sendQueue.empty() && m_link->uploadLimiter().isUnlimited() && canWriteToSocket()) {
            m_socket->write(data);
            return;
        }
        enqueueSend(data);
    } else {
        m_outgoing.push(data, m_link->now());
    }
    pump();
}

qint64 ShapedSocket::bytesToWrite() const {
    return m_outgoing.queuedBytes() + m_sendQueued + (m_socket ? m_socket->bytesToWrite() : 0);
}

QByteArray ShapedSocket::readAll() {
    return std::exchange(m_readBuffer, QByteArray());
}

QByteArray ShapedSocket::read(qint64 maxSize) {
    if (maxSize >= m_readBuffer.size())
        return readAll();
    QByteArray out = m_readBuffer.first(qMax(maxSize, qint64(0)));
    m_readBuffer.remove(0, out.size());
    return out;
}

void ShapedSocket::disconnectFromHost() {
    m_closeRequested = true;
    pump();
}

void ShapedSocket::abort() {
    leaveQueues();
    m_outgoing.clear();
    m_incoming.clear();
    m_sendQueue.clear();
    m_sendOffset = 0;
    m_sendQueued = 0;
    m_readBuffer.clear();
    m_closeRequested = true;
    m_closeIssued = true;
    if (m_timer)
        m_timer->stop();
    if (m_socket)
        m_socket->abort();
}

bool ShapedSocket::isTimerActive() const {
    return m_timer && m_timer->isActive();
}

qint64 ShapedSocket::bandwidthWanted(Direction direction) const {
    if (direction == Direction::Upload)
        return canWriteToSocket() ? m_sendQueued : 0;
    return m_socket ? m_socket->bytesAvailable() : 0;
}

void ShapedSocket::bandwidthGranted(Direction direction, qint64 bytes) {
    if (direction == Direction::Upload)
        writeToSocket(bytes);
    else
        readFromSocket(bytes, m_link->now());
    pump(); // deliver, finish a close, or (inside a pump) just go round once more
}

void ShapedSocket::enqueueSend(QByteArray data) {
    m_sendQueued += data.size();
    m_sendQueue.push_back(std::move(data));
}

void ShapedSocket::writeToSocket(qint64 bytes) {
    if (!canWriteToSocket())
        return;
    while (bytes > 0 && !m_sendQueue.empty()) {
        const QByteArray& front = m_sendQueue.front();
        const qint64 left = front.size() - m_sendOffset;
        const qint64 n = qMin(left, bytes);
        if (m_sendOffset == 0 && n == left)
            m_socket->write(front); // whole chunk: the socket's buffer can share it instead of copying
        else
            m_socket->write(front.constData() + m_sendOffset, n);
        bytes -= n;
        m_sendQueued -= n;
        if (n == left) {
            m_sendQueue.pop_front();
            m_sendOffset = 0;
        } else {
            m_sendOffset += n;
        }
    }
}

void ShapedSocket::readFromSocket(qint64 bytes, SimTime now) {
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

void ShapedSocket::deliver(QByteArray data) {
    m_delivered = true;
    if (m_readBuffer.isEmpty())
        m_readBuffer = std::move(data);
    else
        m_readBuffer.append(data);
}

void ShapedSocket::finishClose() {
    if (!m_closeRequested || m_closeIssued || !m_outgoing.isEmpty() || !m_sendQueue.empty())
        return;
    m_closeIssued = true;
    if (m_socket)
        m_socket->disconnectFromHost(); // flushes the socket's own buffer first
}

void ShapedSocket::pump() {
    if (m_inPump) {
        m_pumpAgain = true;
        return;
    }
    m_inPump = true;
    do {
        m_pumpAgain = false;
        const SimTime now = m_link->now();
        for (QByteArray& chunk : m_outgoing.popReady(now))
            enqueueSend(std::move(chunk));
        if (m_sendQueued > 0 && canWriteToSocket()) {
            if (m_link->uploadLimiter().isUnlimited())
                writeToSocket(m_sendQueued);
            else
                m_link->uploadQueue().enqueue(this); // may grant at once, which comes back here
        }
        if (m_socket && m_socket->bytesAvailable() > 0) {
            if (m_link->downloadLimiter().isUnlimited())
                readFromSocket(m_socket->bytesAvailable(), now);
            else
                m_link->downloadQueue().enqueue(this);
        }
        for (QByteArray& chunk : m_incoming.popReady(now))
            deliver(std::move(chunk));
        finishClose();
    } while (m_pumpAgain);
    schedule();
    m_inPump = false;

    // Signals last: a slot may write, read, or delete this object (with deleteLater).
    QPointer<ShapedSocket> self(this);
    // Bytes delivered by a grant outside a pump are announced here too: grants always end with a pump.
    if (std::exchange(m_delivered, false))
        emit readyRead();
    if (!self)
        return;
    const bool drained = (!m_socket || m_socket->bytesAvailable() == 0) && m_incoming.isEmpty();
    if (m_peerClosed && drained && !m_disconnectEmitted) {
        m_disconnectEmitted = true;
        emit disconnected();
    }
}

void ShapedSocket::schedule() {
    std::optional<SimTime> wake = m_outgoing.nextDeadline();
    if (const auto due = m_incoming.nextDeadline(); due && (!wake || *due < *wake))
        wake = due;
    if (!wake) {
        if (m_timer)
            m_timer->stop();
        return;
    }
    if (!m_timer) {
        m_timer = new QTimer(this);
        m_timer->setSingleShot(true);
        m_timer->setTimerType(Qt::PreciseTimer);
        connect(m_timer, &QTimer::timeout, this, &ShapedSocket::pump);
    }
    // QTimer counts whole milliseconds: round up, so a wake never comes before the chunk is due.
    const qint64 us = qMax((*wake - m_link->now()).count(), qint64(0));
    m_timer->start(int(qMin((us + 999) / 1000, qint64(std::numeric_limits<int>::max()))));
}

} // namespace swarmscope
