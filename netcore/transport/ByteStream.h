#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QObject>

namespace swarmscope {

// One connection as the engine sees it: an ordered, reliable byte stream to an address, on real TCP
// (TcpStream) or on the simulated network (SimStream), with the node's link (caps, latency) applied. The peer
// wire protocol and the HTTP tracker run on this and cannot tell which one is below.
//
// Counting: a byte counts as sent when it crosses this node's link (after the upload cap), and bytesSent()
// says so at that moment. Bytes written but not yet across can still be taken back whole with cancelWrite(),
// so a choke or a cancel takes effect at once.
//
// Closing: close() is a half-close. What was written still goes out, then this direction ends; reading goes
// on until the peer ends its own direction, and closed() follows once every byte it sent has been delivered.
// abort() drops everything in both directions at once, without closed().
//
// Signals never come from inside a call to the stream (write(), read(), close(), ...): they are posted on
// the scheduler, so a slot may call the stream again without meeting itself half-way.
//
// Lives in the thread of its network's scheduler.
class ByteStream : public QObject {
    Q_OBJECT
public:
    enum class State {
        Connecting, // an outgoing connection not yet accepted
        Connected,
        Closing, // close() was called; the peer may still send
        Closed,  // the peer closed, the connection failed, or abort()
    };

    explicit ByteStream(QObject* parent = nullptr) : QObject(parent) {}
    ~ByteStream() override;

    virtual State state() const = 0;
    bool isConnected() const { return state() == State::Connected; }
    virtual QHostAddress peerAddress() const = 0;
    virtual quint16 peerPort() const = 0;
    // Why the connection ended, when it did not end cleanly ("connection refused", "connection reset by
    // peer"); empty otherwise.
    virtual QString errorString() const = 0;

    // Queues data for the peer, also while still connecting. Returns the write's id (ids grow, never 0), or 0
    // when the stream no longer takes data (closing or closed).
    virtual quint64 write(QByteArray data) = 0;
    // Takes back a write none of whose bytes has crossed the link yet; false when that is too late.
    virtual bool cancelWrite(quint64 id) = 0;
    // Written and not yet sent: waiting for the upload cap, or held below it by the transport.
    virtual qint64 bytesToWrite() const = 0;
    // Nothing written is left in this object: destroying it now loses no byte already counted as sent.
    virtual bool isFlushed() const = 0;

    // Bytes that have arrived, after the download cap and the latency.
    virtual qint64 bytesAvailable() const = 0;
    virtual QByteArray read(qint64 maxSize) = 0;
    virtual QByteArray readAll() = 0;
    // At most this many unread bytes are taken in; beyond it, the peer is held back (0: no limit).
    virtual void setReadBufferLimit(qint64 bytes) = 0;

    virtual void close() = 0;
    virtual void abort() = 0;

signals:
    void connected();
    void readyRead();
    // bytes crossed this node's link towards the peer.
    void bytesSent(qint64 bytes);
    // The peer ended its direction, or the connection failed or was reset; every byte the peer sent before
    // has been delivered (and announced with readyRead()).
    void closed();
};

} // namespace swarmscope
