#include "transport/EpollEventDispatcher.h"

#include "transport/DispatcherTimerQueue.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>
#include <QtDebug>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace swarmscope {

namespace {

using Clock = DispatcherTimerQueue::Clock;

constexpr int typeCount = 3; // QSocketNotifier::Read, Write, Exception

// What each notifier type asks epoll for, and which reported events activate it. An error or hang-up
// activates every type, as in Qt's UNIX dispatcher, so a descriptor in that state cannot keep the thread
// awake with nobody told.
constexpr std::uint32_t wantedEvents[typeCount] = {EPOLLIN, EPOLLOUT, EPOLLPRI};
constexpr std::uint32_t activatingEvents[typeCount] = {
    EPOLLIN | EPOLLHUP | EPOLLERR, EPOLLOUT | EPOLLHUP | EPOLLERR, EPOLLPRI | EPOLLHUP | EPOLLERR};
// What poll() reports for a descriptor epoll refuses (a regular file): always readable and writable.
constexpr std::uint32_t alwaysReadyEvents = EPOLLIN | EPOLLOUT;

// epoll_event.data of the wake-up eventfd; descriptors carry (generation << 32 | fd), never all ones.
constexpr std::uint64_t wakeUpKey = ~std::uint64_t(0);

constexpr int initialEventCapacity = 256;
constexpr int maximumEventCapacity = 8192;

const char* typeName(int type) {
    static const char* const names[typeCount] = {"Read", "Write", "Exception"};
    return type >= 0 && type < typeCount ? names[type] : "?";
}

// The enabled notifiers of one descriptor.
struct WatchedFd {
    QSocketNotifier* notifiers[typeCount] = {};
    bool pending[typeCount] = {}; // reported ready in this pass and not yet delivered
    std::uint32_t generation = 0; // tells this registration's epoll events from an earlier one's
    std::uint32_t inEpoll = 0;    // the events epoll watches for it; 0 when not in the epoll set
    bool alwaysReady = false;     // epoll refused it (EPERM); reported ready on every pass

    std::uint32_t wanted() const {
        std::uint32_t events = 0;
        for (int type = 0; type < typeCount; ++type) {
            if (notifiers[type])
                events |= wantedEvents[type];
        }
        return events;
    }
    bool isEmpty() const { return !notifiers[0] && !notifiers[1] && !notifiers[2]; }
};

struct PendingActivation {
    int fd;
    int type;
};

} // namespace

struct EpollEventDispatcher::Private {
    int epollFd = -1;
    int wakeFd = -1;
    std::atomic<bool> wakeUpPending{false}; // set by wakeUp() until the loop has drained the eventfd
    std::atomic<bool> interrupted{false};
    bool canPwait2 = true; // epoll_pwait2 (Linux 5.11) for sub-millisecond timeouts, until it is refused

    std::unordered_map<int, WatchedFd> fds;
    std::unordered_set<int> alwaysReadyFds;
    std::uint32_t nextGeneration = 1;

    std::vector<epoll_event> events = std::vector<epoll_event>(initialEventCapacity);
    // Activations reported and not yet delivered, from pendingHead on. A handler may run a nested event
    // loop: its passes append here and deliver from the same queue, the outer pass's activations first,
    // as Qt's UNIX dispatcher does; otherwise a nested loop waiting on a socket the outer pass already
    // found ready would never hear of it.
    std::vector<PendingActivation> pending;
    std::size_t pendingHead = 0;

    DispatcherTimerQueue timers;

    void updateEpoll(int fd, WatchedFd& watched);
    int wait(std::optional<Clock::duration> timeout);
    int waitForWakeUpOnly(std::optional<Clock::duration> timeout);
    void drainWakeUp();
    void markPending(int fd, std::uint32_t reported);
    int deliverPending();
};

EpollEventDispatcher::EpollEventDispatcher(QObject* parent)
    : QAbstractEventDispatcher(parent), d(std::make_unique<Private>()) {
    d->epollFd = epoll_create1(EPOLL_CLOEXEC);
    if (d->epollFd < 0)
        qFatal("EpollEventDispatcher: epoll_create1 failed: %s", std::strerror(errno));
    d->wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (d->wakeFd < 0)
        qFatal("EpollEventDispatcher: eventfd failed: %s", std::strerror(errno));
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = wakeUpKey;
    if (epoll_ctl(d->epollFd, EPOLL_CTL_ADD, d->wakeFd, &event) < 0)
        qFatal("EpollEventDispatcher: cannot watch the wake-up eventfd: %s", std::strerror(errno));
}

EpollEventDispatcher::~EpollEventDispatcher() {
    close(d->wakeFd);
    close(d->epollFd);
}

void EpollEventDispatcher::Private::updateEpoll(int fd, WatchedFd& watched) {
    const std::uint32_t wanted = watched.wanted();
    if (watched.alwaysReady) {
        if (!wanted)
            alwaysReadyFds.erase(fd);
        return;
    }
    if (wanted == watched.inEpoll)
        return;
    if (!wanted) {
        // ENOENT or EBADF: the descriptor was closed first, and epoll has already dropped it.
        epoll_ctl(epollFd, EPOLL_CTL_DEL, fd, nullptr);
        watched.inEpoll = 0;
        return;
    }
    epoll_event event{};
    event.events = wanted;
    event.data.u64 = (std::uint64_t(watched.generation) << 32) | std::uint32_t(fd);
    int op = watched.inEpoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    int result = epoll_ctl(epollFd, op, fd, &event);
    if (result < 0 && op == EPOLL_CTL_MOD && errno == ENOENT) {
        // Closed and reopened under the same number while its notifier stayed enabled.
        op = EPOLL_CTL_ADD;
        result = epoll_ctl(epollFd, op, fd, &event);
    } else if (result < 0 && op == EPOLL_CTL_ADD && errno == EEXIST) {
        op = EPOLL_CTL_MOD;
        result = epoll_ctl(epollFd, op, fd, &event);
    }
    if (result == 0) {
        watched.inEpoll = wanted;
        return;
    }
    watched.inEpoll = 0;
    if (errno == EPERM) {
        watched.alwaysReady = true;
        alwaysReadyFds.insert(fd);
        return;
    }
    qWarning("EpollEventDispatcher: cannot watch socket %d: %s", fd, std::strerror(errno));
}

int EpollEventDispatcher::Private::wait(std::optional<Clock::duration> timeout) {
    const int capacity = int(events.size());
    int count = -1;
    if (!timeout) {
        count = epoll_wait(epollFd, events.data(), capacity, -1);
    } else if (*timeout <= Clock::duration::zero()) {
        count = epoll_wait(epollFd, events.data(), capacity, 0);
    } else {
        if (canPwait2) {
            const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(*timeout).count();
            const timespec ts{time_t(ns / 1000000000), long(ns % 1000000000)};
            count = epoll_pwait2(epollFd, events.data(), capacity, &ts, nullptr);
            if (count < 0 && (errno == ENOSYS || errno == EPERM))
                canPwait2 = false; // an older kernel, or a seccomp filter that does not know it
        }
        if (!canPwait2) {
            // Rounded up: waking before the timer is due would only spin.
            const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*timeout).count();
            count = epoll_wait(epollFd, events.data(), capacity, int(std::min<qint64>(ms, 0x7fffffff)));
        }
    }
    if (count < 0) {
        if (errno != EINTR)
            qWarning("EpollEventDispatcher: epoll_wait failed: %s", std::strerror(errno));
        return 0;
    }
    return count;
}

int EpollEventDispatcher::Private::waitForWakeUpOnly(std::optional<Clock::duration> timeout) {
    pollfd pfd{wakeFd, POLLIN, 0};
    timespec ts{};
    if (timeout) {
        const auto ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::max(*timeout, Clock::duration::zero()))
                .count();
        ts = timespec{time_t(ns / 1000000000), long(ns % 1000000000)};
    }
    const int ready = ppoll(&pfd, 1, timeout ? &ts : nullptr, nullptr);
    if (ready > 0 && (pfd.revents & POLLIN)) {
        drainWakeUp();
        return 1;
    }
    return 0;
}

void EpollEventDispatcher::Private::drainWakeUp() {
    eventfd_t value = 0;
    eventfd_read(wakeFd, &value);
    // Cleared after the read: a wakeUp() in between writes nothing, but whatever it announced (a posted
    // event, an interrupt) is seen by the pass that follows, before it sleeps. The other order could
    // leave the flag set with the eventfd empty, and every later wakeUp() would be lost.
    wakeUpPending.store(false);
}

void EpollEventDispatcher::Private::markPending(int fd, std::uint32_t reported) {
    auto found = fds.find(fd);
    if (found == fds.end())
        return;
    WatchedFd& watched = found->second;
    for (int type = 0; type < typeCount; ++type) {
        if (watched.notifiers[type] && !watched.pending[type] && (reported & activatingEvents[type])) {
            watched.pending[type] = true;
            pending.push_back({fd, type});
        }
    }
}

int EpollEventDispatcher::Private::deliverPending() {
    int delivered = 0;
    QEvent event(QEvent::SockAct);
    // Each activation looks its descriptor up again: an earlier handler may have disabled, deleted or
    // replaced any notifier, which clears its pending flag.
    while (pendingHead < pending.size()) {
        const PendingActivation activation = pending[pendingHead++];
        auto found = fds.find(activation.fd);
        if (found == fds.end() || !found->second.pending[activation.type])
            continue;
        found->second.pending[activation.type] = false;
        QSocketNotifier* notifier = found->second.notifiers[activation.type];
        QCoreApplication::sendEvent(notifier, &event);
        ++delivered;
    }
    pending.clear();
    pendingHead = 0;
    return delivered;
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags) {
    d->interrupted.store(false, std::memory_order_relaxed);
    emit awake();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    // Posted events need no check here: postEvent() calls wakeUp(), so the wait below returns at once
    // for any event posted since sendPostedEvents() began.
    const bool canWait = (flags & QEventLoop::WaitForMoreEvents) && !d->interrupted.load();
    if (canWait)
        emit aboutToBlock();
    if (d->interrupted.load())
        return false;

    std::optional<Clock::duration> timeout; // nothing: until something happens
    if (!canWait || (includeNotifiers && !d->alwaysReadyFds.empty()))
        timeout = Clock::duration::zero();
    else if (includeTimers)
        timeout = d->timers.timeUntilNext(Clock::now());

    int handled = 0;
    if (includeNotifiers) {
        const int count = d->wait(timeout);
        for (int i = 0; i < count; ++i) {
            const epoll_event& event = d->events[std::size_t(i)];
            if (event.data.u64 == wakeUpKey) {
                d->drainWakeUp();
                ++handled;
                continue;
            }
            const int fd = int(std::uint32_t(event.data.u64));
            const std::uint32_t generation = std::uint32_t(event.data.u64 >> 32);
            auto found = d->fds.find(fd);
            // A stale generation is an earlier open file under the same number that epoll still holds
            // (kept alive by a dup() or a fork()): not ours to report.
            if (found != d->fds.end() && found->second.generation == generation)
                d->markPending(fd, event.events);
        }
        for (int fd : d->alwaysReadyFds)
            d->markPending(fd, alwaysReadyEvents);
        if (count == int(d->events.size()) && count < maximumEventCapacity)
            d->events.resize(d->events.size() * 2); // more may be ready; they come on the next pass

        handled += d->deliverPending();
    } else {
        handled += d->waitForWakeUpOnly(timeout);
    }

    if (includeTimers)
        handled += d->timers.fireDue(Clock::now());
    return handled > 0;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier* notifier) {
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
#ifndef QT_NO_DEBUG
    if (notifier->thread() != thread() || thread() != QThread::currentThread()) {
        qWarning("EpollEventDispatcher: socket notifiers cannot be enabled from another thread");
        return;
    }
#endif
    if (fd < 0 || type < 0 || type >= typeCount) {
        qWarning("EpollEventDispatcher: invalid socket notifier (socket %d, type %d)", fd, type);
        return;
    }
    auto [found, inserted] = d->fds.try_emplace(fd);
    WatchedFd& watched = found->second;
    if (inserted)
        watched.generation = d->nextGeneration++;
    if (watched.notifiers[type] && watched.notifiers[type] != notifier) {
        qWarning("EpollEventDispatcher: multiple socket notifiers for socket %d and type %s", fd,
                 typeName(type));
        watched.pending[type] = false; // the activation was the old notifier's
    }
    watched.notifiers[type] = notifier;
    d->updateEpoll(fd, watched);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier* notifier) {
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
#ifndef QT_NO_DEBUG
    if (notifier->thread() != thread() || thread() != QThread::currentThread()) {
        qWarning("EpollEventDispatcher: socket notifier (socket %d) cannot be disabled from another thread",
                 fd);
        return;
    }
#endif
    auto found = d->fds.find(fd);
    if (found == d->fds.end() || type < 0 || type >= typeCount)
        return;
    WatchedFd& watched = found->second;
    if (watched.notifiers[type] != notifier) {
        if (watched.notifiers[type])
            qWarning("EpollEventDispatcher: multiple socket notifiers for socket %d and type %s", fd,
                     typeName(type));
        return;
    }
    watched.notifiers[type] = nullptr;
    watched.pending[type] = false;
    d->updateEpoll(fd, watched);
    if (watched.isEmpty())
        d->fds.erase(found);
}

int EpollEventDispatcher::watchedDescriptorCount() const {
    return int(d->fds.size());
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject* object) {
    if (timerId < 1 || interval < 0 || !object) {
        qWarning("EpollEventDispatcher::registerTimer: invalid arguments");
        return;
    }
#ifndef QT_NO_DEBUG
    if (object->thread() != thread() || thread() != QThread::currentThread()) {
        qWarning("EpollEventDispatcher::registerTimer: timers cannot be started from another thread");
        return;
    }
#endif
    d->timers.add(timerId, interval, timerType, object, Clock::now());
}

bool EpollEventDispatcher::unregisterTimer(int timerId) {
    if (timerId < 1) {
        qWarning("EpollEventDispatcher::unregisterTimer: invalid argument");
        return false;
    }
#ifndef QT_NO_DEBUG
    if (thread() != QThread::currentThread()) {
        qWarning("EpollEventDispatcher::unregisterTimer: timers cannot be stopped from another thread");
        return false;
    }
#endif
    return d->timers.remove(timerId);
}

bool EpollEventDispatcher::unregisterTimers(QObject* object) {
    if (!object) {
        qWarning("EpollEventDispatcher::unregisterTimers: invalid argument");
        return false;
    }
#ifndef QT_NO_DEBUG
    if (object->thread() != thread() || thread() != QThread::currentThread()) {
        qWarning("EpollEventDispatcher::unregisterTimers: timers cannot be stopped from another thread");
        return false;
    }
#endif
    return d->timers.removeAll(object);
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject* object) const {
    if (!object) {
        qWarning("EpollEventDispatcher::registeredTimers: invalid argument");
        return {};
    }
    return d->timers.timersOf(object);
}

int EpollEventDispatcher::remainingTime(int timerId) {
    if (timerId < 1) {
        qWarning("EpollEventDispatcher::remainingTime: invalid argument");
        return -1;
    }
    return d->timers.remainingMs(timerId, Clock::now());
}

void EpollEventDispatcher::wakeUp() {
    // One write per sleep is enough; further calls until the loop drains the eventfd cost one atomic.
    if (!d->wakeUpPending.exchange(true)) {
        int result;
        do {
            result = eventfd_write(d->wakeFd, 1);
        } while (result < 0 && errno == EINTR);
    }
}

void EpollEventDispatcher::interrupt() {
    d->interrupted.store(true);
    wakeUp();
}

} // namespace swarmscope
