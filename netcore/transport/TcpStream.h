#pragma once

#include "clock/Timer.h"
#include "sim/BandwidthUser.h"
#include "sim/DelayLine.h"
#include "sim/SimulatedLink.h"
#include "transport/ByteStream.h"

#include <QByteArray>
#include <QPointer>
#include <QTcpSocket>

#include <deque>

namespace swarmscope {

// A real TCP connection with the node's link applied:
//   write() -> upload cap (bytesSent() here) -> latency (delay line) -> socket
//   socket -> download cap -> latency (delay line) -> readyRead() / read()
// Under a download cap it reads from the socket only what the cap grants and bounds the socket's read
// buffer, so the sender feels real TCP backpressure instead of the bytes piling up here. Under a cap the
// connection takes turns with the node's other connections in the link's BandwidthQueue.
//
// With a transparent link (no caps, no latency) data is handed straight through: no queue, no timer.
// close() half-closes the socket (shutdown for writing) once everything written has been handed to the
// kernel, and keeps reading until the peer closes.
class TcpStream final : public ByteStream, private BandwidthUser {
    Q_OBJECT
public:
    // socket: connected or still connecting; owned from now on (made a child). link: not owned, must outlive
    // this object.
    TcpStream(QTcpSocket* socket, SimulatedLink& link, QObject* parent = nullptr);
    ~TcpStream() override;

    QTcpSocket* socket() const { return m_socket; }

    State state() const override;
    QHostAddress peerAddress() const override;
    quint16 peerPort() const override;
    QString errorString() const override { return m_error; }

    quint64 write(QByteArray data) override;
    bool cancelWrite(quint64 id) override;
    qint64 bytesToWrite() const override;
    bool isFlushed() const override;

    qint64 bytesAvailable() const override { return m_readBuffer.size(); }
    QByteArray read(qint64 maxSize) override;
    QByteArray readAll() override;
    void setReadBufferLimit(qint64 bytes) override;

    void close() override;
    void abort() override;

    // For tests and diagnostics: whether this connection's latency timer is running.
    bool isTimerActive() const { return m_timer.isActive(); }

private:
    // Marks a call of the stream's user, during which no signal may be emitted.
    struct UserCall {
        explicit UserCall(TcpStream* s) : stream(s) { ++stream->m_callDepth; }
        ~UserCall() { --stream->m_callDepth; }
        TcpStream* stream;
    };
    struct Chunk {
        quint64 id;
        QByteArray data;
    };

    qint64 bandwidthWanted(Direction direction) const override;
    void bandwidthGranted(Direction direction, qint64 bytes) override;

    void pump();
    void notify();
    void postNotify();
    void applyLink();
    void sendAcross(qint64 bytes);
    void toSocket(QByteArray data);
    void readFromSocket(qint64 bytes, SimTime now);
    void deliver(QByteArray data);
    void finishClose();
    void schedule();
    bool socketConnected() const;
    void leaveQueues();
    qint64 socketReadLimit() const;

    QPointer<QTcpSocket> m_socket;
    SimulatedLink& m_link;
    DelayLine m_outgoing; // across the cap, on its way to the socket
    DelayLine m_incoming;
    std::deque<Chunk> m_sendQueue; // written, waiting for the upload cap
    qsizetype m_sendOffset = 0;    // bytes of the front chunk already across
    qint64 m_sendQueued = 0;
    quint64 m_lastWriteId = 0;
    QByteArray m_readBuffer;
    qint64 m_readLimit = 0;
    QString m_error;
    Timer m_timer;
    qint64 m_sentUnreported = 0; // across the link, not yet told with bytesSent()
    int m_callDepth = 0;         // inside a call of our user: signals wait for a posted notify
    bool m_notifyPosted = false;
    bool m_inPump = false;
    bool m_pumpAgain = false;
    bool m_delivered = false; // new bytes in m_readBuffer not yet announced with readyRead()
    bool m_wasConnected = false;
    bool m_closeRequested = false;
    bool m_shutdownIssued = false;
    bool m_peerClosed = false;
    bool m_closedEmitted = false;
    bool m_aborted = false;
};

} // namespace swarmscope
