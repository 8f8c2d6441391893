#pragma once

#include "clock/SimScheduler.h"
#include "sim/SimulatedLink.h"
#include "transport/SimNetwork.h"
#include "transport/SimStream.h"

#include <QHostAddress>
#include <QList>
#include <QTest>

#include <functional>
#include <memory>

// QCOMPARE of two instants prints them in microseconds.
template <> inline char* QTest::toString(const swarmscope::SimTime& t) {
    return qstrdup(QByteArray::number(qint64(t.count())).append(" us").constData());
}

namespace swarmscope::nettest {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;
constexpr quint16 kPort = 6881;

QHostAddress addressA();
QHostAddress addressB();
QByteArray randomBytes(qsizetype size, quint32 seed);

// One end of a connection as a test sees it: everything it emits is recorded with the virtual time, and
// every call to the stream goes through here, so a signal emitted from inside a call is caught.
class End {
public:
    End() = default;
    End(const End&) = delete;
    End& operator=(const End&) = delete;

    void attach(ByteStream* stream, Scheduler& clock);
    ByteStream* operator->() const { return stream.get(); }
    explicit operator bool() const { return bool(stream); }

    // The calls, each marked: a signal that comes while one runs is counted in reentered.
    quint64 write(const QByteArray& data);
    bool cancelWrite(quint64 id);
    QByteArray read(qint64 maxSize);
    QByteArray readAll();
    void setReadBufferLimit(qint64 bytes);
    void close();
    void abort();

    std::unique_ptr<ByteStream> stream;
    Scheduler* clock = nullptr;
    bool autoRead = true; // read everything on readyRead()
    QByteArray received;
    qint64 sent = 0; // the sum of bytesSent()
    int readyReads = 0;
    bool connected = false;
    SimTime connectedAt = SimTime::min();
    bool closed = false;
    int closedCount = 0;
    SimTime closedAt = SimTime::min();
    QString closeError;
    qint64 availableAtClose = -1;
    qsizetype receivedAtClose = -1;
    // (when, total received by then) at each readyRead that brought bytes.
    QList<std::pair<SimTime, qsizetype>> arrivals;
    int reentered = 0;
    int callDepth = 0;
    // Called after each signal is recorded (the test's own reaction).
    std::function<void()> onReadyRead;
    std::function<void()> onClosed;
    std::function<void(qint64)> onBytesSent;

private:
    void signalled();
};

// Two hosts of a simulated network on one virtual clock: A (10.0.0.1) and B (10.0.0.2), B listening on
// kPort. Members are declared in the order they must be made, so they are destroyed streams first.
class SimLab {
public:
    explicit SimLab(quint64 seedA = 11, quint64 seedB = 22);
    ~SimLab();

    // Runs events until done() or until the clock would pass limit (virtual time); true when done().
    bool runUntil(const std::function<bool()>& done, SimTime limit = std::chrono::hours(1));

    SimScheduler clock;
    SimNetwork network{clock};
    SimulatedLink linkA;
    SimulatedLink linkB;
    std::unique_ptr<SimHost> hostA;
    std::unique_ptr<SimHost> hostB;
    std::unique_ptr<Listener> listener;
};

// A connection from A to B's listener: a is A's end, b the end B accepted.
class SimPair : public SimLab {
public:
    explicit SimPair(quint64 seedA = 11, quint64 seedB = 22) : SimLab(seedA, seedB) {}
    // Connects, and runs the clock until A is connected and B has accepted; false when that fails.
    bool open();

    End a;
    End b;
};

} // namespace swarmscope::nettest
