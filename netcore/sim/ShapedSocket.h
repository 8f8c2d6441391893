#pragma once

#include "sim/BandwidthUser.h"
#include "sim/DelayLine.h"
#include "sim/SimulatedLink.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>

#include <deque>

class QTimer;

namespace swarmscope {

// A TCP connection as the peer engine sees it, with the client's simulated link applied:
//   write() -> latency (delay line) -> upload cap -> socket
//   socket -> download cap -> latency (delay line) -> readyRead() / readAll()
// Under a download cap it reads from the socket only what the cap grants and bounds the socket's read
// buffer, so the sender feels real TCP backpressure instead of the bytes piling up here. Under a cap the
// connection takes turns with the client's other connections in the link's BandwidthQueue.
//
// With a transparent link (no caps, no latency) data is handed straight through: no queue, no timer. With
// latency, one single-shot timer wakes the socket when the next chunk is due and stops when none is.
//
// Use this object's disconnected(), not the socket's: data in flight in the delay line is still delivered
// after the peer closed. Lives in the socket's thread.
class ShapedSocket : public QObject, private BandwidthUser {
    Q_OBJECT
public:
    // socket: connected or still connecting; not owned (a guard notices its deletion). link: not owned, must
    // outlive this object.
    ShapedSocket(QTcpSocket* socket, SimulatedLink* link, QObject* parent = nullptr);
    ~ShapedSocket() override;

    QTcpSocket* socket() const { return m_socket; }
    SimulatedLink* link() const { return m_link; }

    // Queues data for the peer. Written while the socket is still connecting, it goes out once connected.
    // Ignored after disconnectFromHost() or abort().
    void write(const QByteArray& data);
    // Written but not yet accepted by the kernel: in the delay line, waiting for the cap, or in the socket's
    // own buffer. The peer engine keeps this small, queueing requests rather than blocks, as BEP 3 advises.
    qint64 bytesToWrite() const;

    // Bytes that have arrived, after the cap and the latency.
    qint64 bytesAvailable() const { return m_readBuffer.size(); }
    QByteArray readAll();
    QByteArray read(qint64 maxSize);

    // Closes once everything written has been handed to the socket (which then flushes it).
    void disconnectFromHost();
    // Drops everything queued in both directions and aborts the socket.
    void abort();

    // For tests and diagnostics: whether this connection's latency timer is running.
    bool isTimerActive() const;

signals:
    void readyRead();
    // Forwarded from the socket: bytes the kernel accepted.
    void bytesWritten(qint64 bytes);
    // The peer closed or the connection failed, and every byte it sent before that has been delivered.
    void disconnected();

private:
    qint64 bandwidthWanted(Direction direction) const override;
    void bandwidthGranted(Direction direction, qint64 bytes) override;

    void pump();
    void applyLink();
    void enqueueSend(QByteArray data);
    void writeToSocket(qint64 bytes);
    void readFromSocket(qint64 bytes, SimTime now);
    void deliver(QByteArray data);
    void finishClose();
    void schedule();
    bool canWriteToSocket() const;
    void leaveQueues();

    QPointer<QTcpSocket> m_socket;
    SimulatedLink* m_link;
    DelayLine m_outgoing;
    DelayLine m_incoming;
    std::deque<QByteArray> m_sendQueue; // past the latency, waiting for the upload cap
    qsizetype m_sendOffset = 0;         // bytes of the front chunk already written
    qint64 m_sendQueued = 0;
    QByteArray m_readBuffer;
    QTimer* m_timer = nullptr; // created on first need
    bool m_inPump = false;
    bool m_pumpAgain = false;
    bool m_delivered = false; // new bytes in m_readBuffer not yet announced with readyRead()
    bool m_closeRequested = false;
    bool m_closeIssued = false;
    bool m_peerClosed = false;
    bool m_disconnectEmitted = false;
};

} // namespace swarmscope
