#include "transport/DispatcherTimerQueue.h"

#include <QCoreApplication>
#include <QTimerEvent>

#include <algorithm>
#include <limits>

namespace swarmscope {

using namespace std::chrono_literals;
using Duration = DispatcherTimerQueue::Clock::duration;
using TimePoint = DispatcherTimerQueue::TimePoint;

struct DispatcherTimerQueue::Timer {
    int id = 0;
    QObject* object = nullptr;
    Qt::TimerType type = Qt::PreciseTimer; // after the coarse-to-precise and coarse-to-very-coarse moves
    qint64 intervalMs = 0;                 // as it runs: whole seconds for a very coarse timer
    Duration interval{};
    Duration grid{}; // expiries are rounded to a multiple of this; zero for none
    TimePoint ideal; // the expiry before rounding, which carries the phase from one expiry to the next
    Queue::iterator slot;
    std::uint64_t serial = 0;    // tells this timer from a later one that reuses its id
    std::uint64_t firedPass = 0; // the last pass that took it from the queue
    bool inHandler = false;
};

namespace {

// Far enough for any real timer, near enough that a time point plus it cannot overflow.
constexpr qint64 maxIntervalMs = qint64(1) << 40;

TimePoint roundToGrid(TimePoint t, Duration grid) {
    if (grid <= Duration::zero())
        return t;
    const Duration::rep g = grid.count();
    const Duration::rep since = t.time_since_epoch().count();
    Duration::rep floor = since / g * g;
    if (floor > since)
        floor -= g; // division rounds towards zero; the steady clock is not negative, but a test's could be
    const Duration::rep nearest = since - floor >= g / 2 ? floor + g : floor;
    return TimePoint(Duration(nearest));
}

// The coarsest round instant that keeps a coarse timer within 5% of its interval, each step a multiple of
// the next so that timers of different intervals still meet on the coarser instants.
Duration coarseGrid(qint64 intervalMs) {
    static constexpr qint64 steps[] = {1000, 500, 100, 50, 10, 5, 1};
    for (qint64 step : steps) {
        if (step * 10 <= intervalMs) // half a step is at most 5% of the interval
            return std::chrono::milliseconds(step);
    }
    return Duration::zero();
}

int ceilToMs(Duration d) {
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
    return int(std::min<qint64>(ms, std::numeric_limits<int>::max()));
}

} // namespace

DispatcherTimerQueue::DispatcherTimerQueue() = default;
DispatcherTimerQueue::~DispatcherTimerQueue() = default;

void DispatcherTimerQueue::add(int timerId, qint64 intervalMs, Qt::TimerType type, QObject* object,
                               TimePoint now) {
    remove(timerId);
    auto timer = std::make_unique<Timer>();
    timer->id = timerId;
    timer->object = object;
    timer->serial = m_nextSerial++;
    intervalMs = std::clamp<qint64>(intervalMs, 0, maxIntervalMs);

    if (intervalMs == 0) {
        type = Qt::PreciseTimer;
    } else if (type == Qt::CoarseTimer && intervalMs <= 20) {
        type = Qt::PreciseTimer; // 5% would be under a millisecond
    } else if (type == Qt::CoarseTimer && intervalMs >= 20000) {
        type = Qt::VeryCoarseTimer; // 5% would be over a second
    }
    if (type == Qt::VeryCoarseTimer) {
        intervalMs = std::max<qint64>(1, (intervalMs + 500) / 1000) * 1000;
        timer->grid = 1s;
    } else if (type == Qt::CoarseTimer) {
        timer->grid = coarseGrid(intervalMs);
    }
    timer->type = type;
    timer->intervalMs = intervalMs;
    timer->interval = std::chrono::milliseconds(intervalMs);
    timer->ideal = now + timer->interval;

    Timer& t = *timer;
    m_idsByObject[object].push_back(timerId);
    m_byId.emplace(timerId, std::move(timer));
    schedule(t, roundToGrid(t.ideal, t.grid));
}

void DispatcherTimerQueue::schedule(Timer& timer, TimePoint expiry) {
    timer.slot = m_queue.emplace(expiry, &timer);
}

void DispatcherTimerQueue::reschedule(Timer& timer, TimePoint now) {
    m_queue.erase(timer.slot);
    timer.ideal += timer.interval;
    if (timer.ideal < now)
        timer.ideal = now + timer.interval; // fell a whole interval behind: skip, do not burst
    TimePoint expiry = roundToGrid(timer.ideal, timer.grid);
    if (expiry < now)
        expiry = now;
    schedule(timer, expiry);
}

void DispatcherTimerQueue::forget(std::unordered_map<int, std::unique_ptr<Timer>>::iterator found) {
    Timer& timer = *found->second;
    m_queue.erase(timer.slot);
    auto owner = m_idsByObject.find(timer.object);
    if (owner != m_idsByObject.end()) {
        std::vector<int>& ids = owner->second;
        ids.erase(std::remove(ids.begin(), ids.end(), timer.id), ids.end());
        if (ids.empty())
            m_idsByObject.erase(owner);
    }
    m_byId.erase(found);
}

bool DispatcherTimerQueue::remove(int timerId) {
    auto found = m_byId.find(timerId);
    if (found == m_byId.end())
        return false;
    forget(found);
    return true;
}

bool DispatcherTimerQueue::removeAll(QObject* object) {
    auto owner = m_idsByObject.find(object);
    if (owner == m_idsByObject.end())
        return false;
    const std::vector<int> ids = std::move(owner->second);
    m_idsByObject.erase(owner);
    for (int id : ids) {
        auto found = m_byId.find(id);
        if (found != m_byId.end()) {
            m_queue.erase(found->second->slot);
            m_byId.erase(found);
        }
    }
    return true;
}

QList<QAbstractEventDispatcher::TimerInfo> DispatcherTimerQueue::timersOf(QObject* object) const {
    QList<QAbstractEventDispatcher::TimerInfo> out;
    auto owner = m_idsByObject.find(object);
    if (owner == m_idsByObject.end())
        return out;
    out.reserve(qsizetype(owner->second.size()));
    for (int id : owner->second) {
        const Timer& timer = *m_byId.at(id);
        out.append(
            {timer.id, int(std::min<qint64>(timer.intervalMs, std::numeric_limits<int>::max())), timer.type});
    }
    return out;
}

int DispatcherTimerQueue::remainingMs(int timerId, TimePoint now) const {
    auto found = m_byId.find(timerId);
    if (found == m_byId.end())
        return -1;
    const TimePoint expiry = found->second->slot->first;
    return expiry <= now ? 0 : ceilToMs(expiry - now);
}

std::optional<Duration> DispatcherTimerQueue::timeUntilNext(TimePoint now) const {
    // Timers in their handler are skipped; there are at most as many as nested event loops.
    for (const auto& [expiry, timer] : m_queue) {
        if (timer->inHandler)
            continue;
        return expiry <= now ? Duration::zero() : expiry - now;
    }
    return std::nullopt;
}

int DispatcherTimerQueue::fireDue(TimePoint now) {
    const std::uint64_t pass = ++m_pass;
    int fired = 0;
    while (!m_queue.empty()) {
        Timer& timer = *m_queue.begin()->second;
        if (m_queue.begin()->first > now || timer.firedPass == pass)
            break; // nothing else due, or a zero-interval timer has come round again
        timer.firedPass = pass;
        reschedule(timer, now);
        if (timer.inHandler)
            continue; // a nested loop inside its own handler: moves on without firing, as in Qt
        if (timer.interval > Duration::zero())
            ++fired;

        const int id = timer.id;
        const std::uint64_t serial = timer.serial;
        QObject* object = timer.object;
        timer.inHandler = true;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        // The handler may have killed the timer, restarted it under the same id, or deleted its object.
        auto found = m_byId.find(id);
        if (found != m_byId.end() && found->second->serial == serial)
            found->second->inHandler = false;
    }
    return fired;
}

} // namespace swarmscope
