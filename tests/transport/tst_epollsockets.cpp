#include "EpollThread.h"
#include "TransportTests.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QPointer>
#include <QRandomGenerator>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>
#include <QTimer>

#include <array>
#include <functional>
#include <memory>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

using namespace swarmscope;
using namespace swarmscope::transporttest;

namespace {

constexpr qint64 MiB = 1024 * 1024;
constexpr int idlePairs = 400;
constexpr int roundTrips = 300;
constexpr qint64 messageSize = 4096;

// A connected AF_UNIX stream pair: readable and writable exactly when the test says so.
struct SocketPair {
    int fds[2] = {-1, -1};
    SocketPair() {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
            fds[0] = fds[1] = -1;
    }
    ~SocketPair() {
        for (int fd : fds) {
            if (fd >= 0)
                close(fd);
        }
    }
    SocketPair(const SocketPair&) = delete;
    SocketPair& operator=(const SocketPair&) = delete;
    bool isOpen() const { return fds[0] >= 0; }
};

bool writeByte(int fd) {
    return write(fd, "x", 1) == 1;
}

void drain(int fd) {
    char buffer[65536];
    while (read(fd, buffer, sizeof buffer) > 0) {
    }
}

// Fills the socket's send path until the kernel refuses more.
void fill(int fd) {
    static const std::vector<char> chunk(65536, 'z');
    while (write(fd, chunk.data(), chunk.size()) > 0) {
    }
}

// One pass of the thread's dispatcher, without waiting: each call is one step of a test.
void pass() {
    QAbstractEventDispatcher::instance()->processEvents(QEventLoop::AllEvents);
}

QByteArray randomBytes(qint64 size, quint32 seed) {
    QByteArray out(size, Qt::Uninitialized);
    QRandomGenerator rng(seed);
    rng.fillRange(reinterpret_cast<quint32*>(out.data()), size / 4);
    return out;
}

// Counts a notifier's activations and runs a hook after each.
struct Counter {
    int count = 0;
    std::function<void()> onActivated;
    void attach(QSocketNotifier* notifier) {
        QObject::connect(notifier, &QSocketNotifier::activated, notifier, [this] {
            ++count;
            if (onActivated)
                onActivated();
        });
    }
};

} // namespace

class TestEpollSockets : public QObject {
    Q_OBJECT
private slots:
    void readNotifier_firesWhileDataIsUnreadAndNotWhenDisabled() {
        EpollThread worker;
        const std::vector<int> counts = worker.run([] {
            std::vector<int> out;
            SocketPair pair;
            if (!pair.isOpen())
                return out;
            QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
            Counter reads;
            reads.attach(&notifier);
            pass();
            out.push_back(reads.count); // 0: nothing written
            writeByte(pair.fds[1]);
            pass();
            pass();
            out.push_back(reads.count); // 2: level-triggered, like poll()
            notifier.setEnabled(false);
            pass();
            out.push_back(reads.count); // 2
            notifier.setEnabled(true);
            pass();
            out.push_back(reads.count); // 3
            drain(pair.fds[0]);
            pass();
            out.push_back(reads.count); // 3: read, so quiet
            return out;
        });
        QCOMPARE(counts, (std::vector<int>{0, 2, 2, 3, 3}));
    }

    void writeNotifier_firesOnlyOnceThePeerMakesRoom() {
        EpollThread worker;
        const std::vector<int> counts = worker.run([] {
            std::vector<int> out;
            SocketPair pair;
            if (!pair.isOpen())
                return out;
            fill(pair.fds[1]);
            QSocketNotifier notifier(pair.fds[1], QSocketNotifier::Write);
            Counter writes;
            writes.attach(&notifier);
            writes.onActivated = [&] { notifier.setEnabled(false); }; // as QAbstractSocket does when flushed
            pass();
            pass();
            out.push_back(writes.count); // 0: full
            drain(pair.fds[0]);
            pass();
            pass();
            out.push_back(writes.count); // 1: room, then disabled by its own handler
            notifier.setEnabled(true);
            pass();
            out.push_back(writes.count); // 2
            return out;
        });
        QCOMPARE(counts, (std::vector<int>{0, 1, 2}));
    }

    void readAndWriteNotifiersOnOneSocket_bothFire() {
        EpollThread worker;
        const std::vector<int> counts = worker.run([] {
            std::vector<int> out;
            SocketPair pair;
            if (!pair.isOpen())
                return out;
            QSocketNotifier readNotifier(pair.fds[0], QSocketNotifier::Read);
            QSocketNotifier writeNotifier(pair.fds[0], QSocketNotifier::Write);
            Counter reads;
            Counter writes;
            reads.attach(&readNotifier);
            writes.attach(&writeNotifier);
            pass();
            out.push_back(reads.count);  // 0
            out.push_back(writes.count); // 1: writable from the start
            writeByte(pair.fds[1]);
            pass();
            out.push_back(reads.count);  // 1
            out.push_back(writes.count); // 2
            writeNotifier.setEnabled(false);
            pass();
            out.push_back(reads.count);  // 2: the read notifier alone on the descriptor now
            out.push_back(writes.count); // 2
            out.push_back(qobject_cast<EpollEventDispatcher*>(QAbstractEventDispatcher::instance())
                              ->watchedDescriptorCount());
            return out;
        });
        QCOMPARE(counts, (std::vector<int>{0, 1, 1, 2, 2, 2, 1}));
    }

    void notifierDisabledByAnEarlierHandlerOfTheSamePass_receivesNothing() {
        EpollThread worker;
        const std::vector<int> counts = worker.run([] {
            std::vector<int> out;
            SocketPair pair;
            if (!pair.isOpen())
                return out;
            writeByte(pair.fds[1]);
            // Both ready before the pass: the read notifier of a descriptor is served before its write one.
            QSocketNotifier readNotifier(pair.fds[0], QSocketNotifier::Read);
            QSocketNotifier writeNotifier(pair.fds[0], QSocketNotifier::Write);
            Counter reads;
            Counter writes;
            reads.attach(&readNotifier);
            writes.attach(&writeNotifier);
            reads.onActivated = [&] {
                drain(pair.fds[0]);
                writeNotifier.setEnabled(false);
            };
            pass();
            out.push_back(reads.count);
            out.push_back(writes.count);
            return out;
        });
        QCOMPARE(counts, (std::vector<int>{1, 0}));
    }

    void notifierDeletedByAnotherSocketsHandler_isNeverActivated() {
        EpollThread worker;
        const int activations = worker.run([] {
            SocketPair first;
            SocketPair second;
            if (!first.isOpen() || !second.isOpen())
                return -1;
            writeByte(first.fds[1]);
            writeByte(second.fds[1]);
            std::array<QSocketNotifier*, 2> notifiers = {
                new QSocketNotifier(first.fds[0], QSocketNotifier::Read),
                new QSocketNotifier(second.fds[0], QSocketNotifier::Read)};
            int total = 0;
            const std::array<int, 2> readEnds = {first.fds[0], second.fds[0]};
            for (int i = 0; i < 2; ++i) {
                // Whichever is served first deletes the other, which must then hear nothing.
                connect(notifiers[i], &QSocketNotifier::activated, notifiers[i], [&, i] {
                    ++total;
                    drain(readEnds[i]);
                    delete notifiers[1 - i];
                    notifiers[1 - i] = nullptr;
                });
            }
            pass();
            pass();
            for (QSocketNotifier* notifier : notifiers)
                delete notifier;
            return total;
        });
        QCOMPARE(activations, 1);
    }

    void notifierReplacedInsideItsHandler_newOneFiresOnALaterPass() {
        EpollThread worker;
        const std::vector<int> counts = worker.run([] {
            std::vector<int> out;
            SocketPair pair;
            if (!pair.isOpen())
                return out;
            writeByte(pair.fds[1]); // left unread: both notifiers see it
            auto* original = new QSocketNotifier(pair.fds[0], QSocketNotifier::Read);
            std::unique_ptr<QSocketNotifier> replacement;
            Counter originalReads;
            Counter replacementReads;
            originalReads.attach(original);
            originalReads.onActivated = [&] {
                original->setEnabled(false);
                original->deleteLater();
                replacement = std::make_unique<QSocketNotifier>(pair.fds[0], QSocketNotifier::Read);
                replacementReads.attach(replacement.get());
            };
            pass();
            out.push_back(originalReads.count);
            out.push_back(replacementReads.count);
            pass();
            out.push_back(originalReads.count);
            out.push_back(replacementReads.count);
            return out;
        });
        QCOMPARE(counts, (std::vector<int>{1, 0, 1, 1}));
    }

    void nestedLoopInsideAHandler_deliversTheOtherSocketsReadyInTheSamePass() {
        EpollThread worker;
        const std::vector<int> seen = worker.run([] {
            std::vector<int> out;
            SocketPair first;
            SocketPair second;
            if (!first.isOpen() || !second.isOpen())
                return out;
            writeByte(first.fds[1]);
            writeByte(second.fds[1]);
            QSocketNotifier a(first.fds[0], QSocketNotifier::Read);
            QSocketNotifier b(second.fds[0], QSocketNotifier::Read);
            std::array<bool, 2> fired = {false, false};
            QEventLoop* nested = nullptr;
            bool nestedTimedOut = false;
            const std::array<std::pair<QSocketNotifier*, int>, 2> sides = {
                {{&a, first.fds[0]}, {&b, second.fds[0]}}};
            for (int i = 0; i < 2; ++i) {
                connect(sides[i].first, &QSocketNotifier::activated, sides[i].first, [&, i] {
                    drain(sides[i].second);
                    fired[i] = true;
                    if (nested) {
                        nested->quit();
                        return;
                    }
                    // The other one was found ready by the outer pass: a nested loop must still get it.
                    QEventLoop loop;
                    nested = &loop;
                    QTimer::singleShot(2000, &loop, [&] {
                        nestedTimedOut = true;
                        loop.quit();
                    });
                    loop.exec();
                    nested = nullptr;
                });
            }
            pass();
            out = {int(fired[0]), int(fired[1]), int(nestedTimedOut)};
            return out;
        });
        QCOMPARE(seen, (std::vector<int>{1, 1, 0}));
    }

    void regularFile_isAlwaysReadyAsPollReportsIt() {
        EpollThread worker;
        const std::vector<int> counts = worker.run([] {
            std::vector<int> out;
            QTemporaryFile file;
            if (!file.open())
                return out;
            file.write("data");
            file.flush();
            auto* dispatcher = qobject_cast<EpollEventDispatcher*>(QAbstractEventDispatcher::instance());
            QSocketNotifier readNotifier(file.handle(), QSocketNotifier::Read);
            QSocketNotifier writeNotifier(file.handle(), QSocketNotifier::Write);
            Counter reads;
            Counter writes;
            reads.attach(&readNotifier);
            writes.attach(&writeNotifier);
            pass();
            out.push_back(reads.count);
            out.push_back(writes.count);
            out.push_back(dispatcher->watchedDescriptorCount());
            readNotifier.setEnabled(false);
            writeNotifier.setEnabled(false);
            pass();
            out.push_back(reads.count);
            out.push_back(writes.count);
            out.push_back(dispatcher->watchedDescriptorCount());
            return out;
        });
        QCOMPARE(counts, (std::vector<int>{1, 1, 1, 1, 1, 0}));
    }

    void excludedSocketNotifiers_stayReadyForALaterPassWithoutSpinning() {
        EpollThread worker;
        struct Seen {
            int whileExcluded = -1;
            int after = -1;
            int passes = -1;
            qint64 waitedMs = -1;
        };
        const Seen seen = worker.run([] {
            Seen out;
            SocketPair pair;
            if (!pair.isOpen())
                return out;
            QAbstractEventDispatcher* dispatcher = QAbstractEventDispatcher::instance();
            QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
            Counter reads;
            reads.attach(&notifier);
            writeByte(pair.fds[1]);
            dispatcher->processEvents(QEventLoop::ExcludeSocketNotifiers); // also drains old wake-ups
            int passes = 0;
            const QMetaObject::Connection counting =
                connect(dispatcher, &QAbstractEventDispatcher::awake, dispatcher, [&] { ++passes; });
            // Waits for the timer, not for the socket that is already ready.
            bool timerFired = false;
            QTimer::singleShot(40, Qt::PreciseTimer, [&] { timerFired = true; });
            QElapsedTimer clock;
            clock.start();
            while (!timerFired && clock.elapsed() < 5000)
                dispatcher->processEvents(QEventLoop::ExcludeSocketNotifiers | QEventLoop::WaitForMoreEvents);
            out.waitedMs = clock.elapsed();
            out.passes = passes;
            disconnect(counting);
            out.whileExcluded = reads.count;
            pass();
            out.after = reads.count;
            return out;
        });
        QCOMPARE(seen.whileExcluded, 0);
        QCOMPARE(seen.after, 1);
        QVERIFY2(seen.passes >= 1 && seen.passes <= 5, qPrintable(QString::number(seen.passes)));
        QVERIFY2(seen.waitedMs >= 39 && seen.waitedMs < 2000, qPrintable(QString::number(seen.waitedMs)));
    }

    void tcpConnection_exchangesSeveralMiBBothWays() {
        EpollThread worker;
        const QByteArray fromClient = randomBytes(6 * MiB, 1);
        const QByteArray fromServer = randomBytes(5 * MiB, 2);
        QByteArray receivedByServer;
        QByteArray receivedByClient;
        QVERIFY(worker.runLoop(
            [&](QEventLoop& loop) {
                auto* server = new QTcpServer(&loop);
                if (!server->listen(QHostAddress::LocalHost, 0)) {
                    loop.quit();
                    return;
                }
                auto* client = new QTcpSocket(&loop);
                auto finishWhenDone = [&] {
                    if (receivedByServer.size() >= fromClient.size() &&
                        receivedByClient.size() >= fromServer.size())
                        loop.quit();
                };
                connect(server, &QTcpServer::newConnection, &loop, [&, server, finishWhenDone] {
                    QTcpSocket* accepted = server->nextPendingConnection();
                    accepted->setParent(&loop);
                    connect(accepted, &QTcpSocket::readyRead, &loop, [&, accepted, finishWhenDone] {
                        receivedByServer += accepted->readAll();
                        finishWhenDone();
                    });
                    accepted->write(fromServer);
                });
                connect(client, &QTcpSocket::connected, &loop, [&, client] { client->write(fromClient); });
                connect(client, &QTcpSocket::readyRead, &loop, [&, client, finishWhenDone] {
                    receivedByClient += client->readAll();
                    finishWhenDone();
                });
                client->connectToHost(QHostAddress::LocalHost, server->serverPort());
            },
            30000));
        QCOMPARE(receivedByServer.size(), fromClient.size());
        QCOMPARE(receivedByClient.size(), fromServer.size());
        QVERIFY(receivedByServer == fromClient);
        QVERIFY(receivedByClient == fromServer);
    }

    void hundredsOfIdleSockets_oneActivePairStillPingPongs() {
        constexpr int pairs = idlePairs;
        EpollThread worker;
        int idleReads = 0;
        int completedRoundTrips = 0;
        int watchedWhileOpen = -1;
        int watchedAfterClose = -1;
        QVERIFY(worker.runLoop(
            [&](QEventLoop& loop) {
                auto* dispatcher = qobject_cast<EpollEventDispatcher*>(QAbstractEventDispatcher::instance());
                auto* server = new QTcpServer(&loop);
                server->setListenBacklogSize(1024);
                if (!server->listen(QHostAddress::LocalHost, 0)) {
                    loop.quit();
                    return;
                }
                auto* sockets = new std::vector<QPointer<QTcpSocket>>;
                connect(&loop, &QObject::destroyed, [sockets] {
                    for (const QPointer<QTcpSocket>& socket : *sockets) // only left on a failure
                        delete socket.data();
                    delete sockets;
                });
                auto* clients = new std::vector<QTcpSocket*>;
                auto* accepted = new std::vector<QTcpSocket*>;
                connect(&loop, &QObject::destroyed, [clients, accepted] {
                    delete clients;
                    delete accepted;
                });
                const QByteArray message(messageSize, 'p');

                auto closeAll = [&, dispatcher, server, sockets] {
                    for (const QPointer<QTcpSocket>& socket : *sockets)
                        delete socket.data();
                    watchedAfterClose = dispatcher->watchedDescriptorCount(); // the listening socket
                    server->close();
                    loop.quit();
                };
                // Once every pair is up, client 0 and its accepted peer ping-pong; the rest stay idle.
                auto startPingPong = [&, dispatcher, clients, accepted, message, closeAll] {
                    watchedWhileOpen = dispatcher->watchedDescriptorCount();
                    QTcpSocket* ping = clients->front();
                    QTcpSocket* pong = nullptr;
                    for (QTcpSocket* candidate : *accepted) {
                        if (candidate->peerPort() == ping->localPort())
                            pong = candidate;
                    }
                    if (!pong) {
                        loop.quit();
                        return;
                    }
                    for (const std::vector<QTcpSocket*>* side : {clients, accepted}) {
                        for (QTcpSocket* socket : *side) {
                            if (socket != ping && socket != pong)
                                connect(socket, &QTcpSocket::readyRead, &loop, [&] { ++idleReads; });
                        }
                    }
                    connect(pong, &QTcpSocket::readyRead, &loop, [pong] {
                        while (pong->bytesAvailable() >= messageSize)
                            pong->write(pong->read(messageSize));
                    });
                    connect(ping, &QTcpSocket::readyRead, &loop, [&, ping, message, closeAll] {
                        while (ping->bytesAvailable() >= messageSize) {
                            ping->read(messageSize);
                            if (++completedRoundTrips == roundTrips) {
                                QTimer::singleShot(0, &loop, closeAll); // not from inside a socket's signal
                                return;
                            }
                            ping->write(message);
                        }
                    });
                    ping->write(message);
                };
                auto* connectedCount = new int(0);
                connect(&loop, &QObject::destroyed, [connectedCount] { delete connectedCount; });
                auto maybeStart = [accepted, connectedCount, startPingPong] {
                    if (int(accepted->size()) == pairs && *connectedCount == pairs)
                        startPingPong();
                };
                connect(server, &QTcpServer::newConnection, &loop,
                        [&, server, sockets, accepted, maybeStart] {
                            while (QTcpSocket* socket = server->nextPendingConnection()) {
                                socket->setParent(nullptr);
                                accepted->push_back(socket);
                                sockets->push_back(socket);
                            }
                            maybeStart();
                        });
                for (int i = 0; i < pairs; ++i) {
                    auto* client = new QTcpSocket;
                    clients->push_back(client);
                    sockets->push_back(client);
                    connect(client, &QTcpSocket::connected, &loop, [connectedCount, maybeStart] {
                        ++*connectedCount;
                        maybeStart();
                    });
                    client->connectToHost(QHostAddress::LocalHost, server->serverPort());
                }
            },
            60000));
        QCOMPARE(completedRoundTrips, roundTrips);
        QCOMPARE(idleReads, 0);
        QCOMPARE(watchedWhileOpen, 2 * pairs + 1);
        QCOMPARE(watchedAfterClose, 1);
    }
};

std::unique_ptr<QObject> swarmscope::createEpollSocketTests() {
    return std::make_unique<TestEpollSockets>();
}

#include "tst_epollsockets.moc"
