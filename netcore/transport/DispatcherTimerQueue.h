#pragma once

#include <QAbstractEventDispatcher>
#include <QList>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace swarmscope {

// The QObject timers of one event dispatcher (one thread), ordered by when they fire next.
//
// Registering, killing and finding the next timer cost O(log n) in the timers of the thread, so a thread
// with thousands of sockets and their timers pays no linear scan per loop pass. Time is passed in: the
// dispatcher hands in its monotonic clock, tests hand in any instant.
//
// Timer types follow Qt's meaning:
// - PreciseTimer fires at its interval, never early.
// - CoarseTimer may move each expiry by up to 5% of its interval, earlier or later, onto a round instant
//   (a multiple of 1, 5, 10, 50, 100, 500 or 1000 ms of the clock), so that the timers of a thread tend to
//   expire together and the thread wakes up less. Under 20 ms (5% is below 1 ms) it is precise; from 20 s
//   it is very coarse.
// - VeryCoarseTimer runs in whole seconds: the interval is rounded to the nearest second (at least one
//   for a non-zero interval; Qt would make it zero and fire it on every pass) and expiries fall on whole
//   seconds of the clock.
// A repeating timer keeps its phase (the next expiry is the ideal last one plus the interval, so rounding
// never accumulates); when it falls a whole interval behind, it skips the missed expiries instead of
// firing in a burst. A zero-interval timer fires once on every pass.
class DispatcherTimerQueue {
public:
    using Clock = std::chrono::steady_clock;
    using TimePoint = Clock::time_point;

    DispatcherTimerQueue();
    ~DispatcherTimerQueue();
    DispatcherTimerQueue(const DispatcherTimerQueue&) = delete;
    DispatcherTimerQueue& operator=(const DispatcherTimerQueue&) = delete;

    // The id must not be registered already (Qt allocates the ids, one per running timer).
    void add(int timerId, qint64 intervalMs, Qt::TimerType type, QObject* object, TimePoint now);
    bool remove(int timerId);
    bool removeAll(QObject* object);
    QList<QAbstractEventDispatcher::TimerInfo> timersOf(QObject* object) const;
    bool isEmpty() const { return m_byId.empty(); }
    int count() const { return int(m_byId.size()); }

    // Milliseconds until the timer next fires, rounded up; 0 when it is due, -1 for an unknown id.
    int remainingMs(int timerId, TimePoint now) const;
    // How long the thread may sleep before the next timer is due (zero when one is due); nothing when no
    // timer is waiting. A timer whose timeout is being delivered further up the stack does not count.
    std::optional<Clock::duration> timeUntilNext(TimePoint now) const;

    // Sends a QTimerEvent to the object of every timer due at now, in order of expiry (ties in order of
    // registration), each at most once, and reschedules it before its event goes out, so a handler can kill
    // or restart any timer, its own included. A timer is never delivered again while its own handler is
    // running (a nested event loop skips it). Returns how many timers with a non-zero interval fired.
    int fireDue(TimePoint now);

private:
    struct Timer;
    using Queue = std::multimap<TimePoint, Timer*>;

    void schedule(Timer& timer, TimePoint expiry);
    void reschedule(Timer& timer, TimePoint now);
    void forget(std::unordered_map<int, std::unique_ptr<Timer>>::iterator found);

    std::unordered_map<int, std::unique_ptr<Timer>> m_byId;
    std::unordered_map<QObject*, std::vector<int>> m_idsByObject;
    Queue m_queue; // equal expiries keep insertion order (std::multimap inserts at the end of a range)
    std::uint64_t m_nextSerial = 1;
    std::uint64_t m_pass = 0;
};

} // namespace swarmscope
