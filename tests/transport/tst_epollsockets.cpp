#include "EpollThread.h"
#include "TransportTests.h"

#include <QElapsedTimer>
#include <QSocketNotifier>
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
};

std::unique_ptr<QObject> swarmscope::createEpollSocketTests() {
    return std::make_unique<TestEpollSockets>();
}

#include "tst_epollsockets.moc"
