#pragma once

#include "clock/SimTime.h"

#include <QPointer>

#include <functional>

namespace swarmscope {

// Every "now" and every timer of the engine goes through a Scheduler. RealScheduler runs on the steady clock
// with one QTimer; SimScheduler is a discrete-event queue on a virtual clock. Code above the seam cannot tell
// which one it runs on.
//
// A scheduler belongs to one thread, and so do the callbacks it runs: call it only from that thread (other
// threads post to an object of that thread with QMetaObject::invokeMethod first).
//
// Order: callbacks run in order of their time, and callbacks due at the same instant in the order they were
// scheduled, so a simulated run repeats exactly.
class Scheduler {
public:
    using Callback = std::function<void()>;
    using Id = quint64; // never 0

    virtual ~Scheduler();

    virtual SimTime now() const = 0;
    qint64 nowMs() const { return toMs(now()); }
    // Whether callbacks run exactly at their time (a virtual clock) rather than possibly late (a busy
    // thread on the wall clock). What paces bytes may then go without slack for late wakes.
    virtual bool wakesOnTime() const { return false; }

    // Runs callback at `at`, or as soon as possible after it; never before, and never from inside this call.
    virtual Id callAt(SimTime at, Callback callback) = 0;
    // The same, and on a virtual clock before every other callback due at that instant (the lab's timed
    // controls, so that a control given at a time runs in the same order whenever it was scheduled).
    virtual Id callAtFirst(SimTime at, Callback callback) { return callAt(at, std::move(callback)); }
    // Forgets a callback that has not run yet; unknown or finished ids are ignored.
    virtual void cancel(Id id) = 0;

    Id callAfter(SimTime delay, Callback callback) {
        return callAt(now() + (delay.count() > 0 ? delay : SimTime::zero()), std::move(callback));
    }
    // After everything already due: the seam's queued call.
    Id post(Callback callback) { return callAt(now(), std::move(callback)); }
    // The same, dropped when context is destroyed before it runs.
    Id post(QObject* context, Callback callback) {
        return post([guard = QPointer<QObject>(context), callback = std::move(callback)] {
            if (guard)
                callback();
        });
    }
};

} // namespace swarmscope
