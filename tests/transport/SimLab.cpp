#include "SimLab.h"

#include <QRandomGenerator>

namespace swarmscope::nettest {

QHostAddress addressA() {
    return QHostAddress(QStringLiteral("10.0.0.1"));
}

QHostAddress addressB() {
    return QHostAddress(QStringLiteral("10.0.0.2"));
}

QByteArray randomBytes(qsizetype size, quint32 seed) {
    QList<quint32> words((size + 3) / 4);
    QRandomGenerator(seed).fillRange(words.data(), words.size());
    return QByteArray(reinterpret_cast<const char*>(words.constData()), size);
}

namespace {

struct Call {
    explicit Call(int& depth) : depth(depth) { ++depth; }
    ~Call() { --depth; }
    int& depth;
};

} // namespace

void End::attach(ByteStream* s, Scheduler& c) {
    stream.reset(s);
    clock = &c;
    if (!s)
        return;
    QObject::connect(s, &ByteStream::connected, s, [this] {
        signalled();
        connected = true;
        connectedAt = clock->now();
    });
    QObject::connect(s, &ByteStream::readyRead, s, [this, s] {
        signalled();
        ++readyReads;
        if (autoRead) {
            const Call call(callDepth);
            const QByteArray data = s->readAll();
            if (!data.isEmpty()) {
                received += data;
                arrivals.append({clock->now(), received.size()});
            }
        }
        if (onReadyRead)
            onReadyRead();
    });
    QObject::connect(s, &ByteStream::bytesSent, s, [this](qint64 bytes) {
        signalled();
        sent += bytes;
        if (onBytesSent)
            onBytesSent(bytes);
    });
    // The slots use s, not stream: a test may have let go of the stream (deleteLater) while it still signals.
    QObject::connect(s, &ByteStream::closed, s, [this, s] {
        signalled();
        closed = true;
        ++closedCount;
        closedAt = clock->now();
        closeError = s->errorString();
        availableAtClose = s->bytesAvailable();
        receivedAtClose = received.size();
        if (onClosed)
            onClosed();
    });
}

void End::signalled() {
    if (callDepth > 0)
        ++reentered;
}

quint64 End::write(const QByteArray& data) {
    const Call call(callDepth);
    return stream->write(data);
}

bool End::cancelWrite(quint64 id) {
    const Call call(callDepth);
    return stream->cancelWrite(id);
}

QByteArray End::read(qint64 maxSize) {
    const Call call(callDepth);
    return stream->read(maxSize);
}

QByteArray End::readAll() {
    const Call call(callDepth);
    return stream->readAll();
}

void End::setReadBufferLimit(qint64 bytes) {
    const Call call(callDepth);
    stream->setReadBufferLimit(bytes);
}

void End::close() {
    const Call call(callDepth);
    stream->close();
}

void End::abort() {
    const Call call(callDepth);
    stream->abort();
}

SimLab::SimLab(quint64 seedA, quint64 seedB)
    : linkA(clock, seedA), linkB(clock, seedB), hostA(network.addHost(addressA(), linkA)),
      hostB(network.addHost(addressB(), linkB)) {
    QString error;
    listener.reset(hostB->listen(QHostAddress::Any, kPort, 50, &error));
    Q_ASSERT(listener);
}

SimLab::~SimLab() = default;

bool SimLab::runUntil(const std::function<bool()>& done, SimTime limit) {
    while (!done()) {
        if (!clock.hasEvents() || clock.nextEventTime() > limit)
            return false;
        clock.runNext();
    }
    return true;
}

bool SimPair::open() {
    QObject::connect(listener.get(), &Listener::newConnection, listener.get(), [this] {
        if (!b)
            b.attach(listener->nextPendingConnection(), clock);
    });
    a.attach(hostA->connectTo(addressB(), kPort), clock);
    return runUntil([this] { return a.connected && bool(b); }, clock.now() + std::chrono::minutes(1));
}

} // namespace swarmscope::nettest
