#pragma once

#include <QAbstractEventDispatcher>

#include <memory>

namespace swarmscope {

// An event dispatcher for Linux worker threads that hold thousands of sockets, built on epoll.
//
// Qt's default dispatcher (glib) keeps a thread's socket notifiers in linked lists, and its UNIX dispatcher
// hands every one of them to poll() on every wake-up, so both cost time in proportion to all the sockets
// of the thread each time one notifier toggles (QTcpSocket toggles its write notifier all the time) or the
// thread wakes. Here enabling, disabling, creating or deleting a notifier is one epoll_ctl call and one hash
// lookup, and a wake-up costs in proportion to the sockets that are ready, not to those that are held.
// Timers sit in an ordered queue (see DispatcherTimerQueue), posted events are sent on every pass, and
// wakeUp() from any thread writes an eventfd.
//
// Use it for a worker thread, before the thread starts; the thread then owns and deletes it:
//
//     QThread* thread = new QThread;
//     thread->setEventDispatcher(new swarmscope::EpollEventDispatcher);
//     thread->start();
//
// The GUI thread keeps Qt's own dispatcher (a QGuiApplication needs it for window-system events).
//
// Behaviour kept from Qt's UNIX dispatcher:
// - Notifiers are level-triggered, like poll(): a readable socket that is not read fires again on the next
//   pass. An error or hang-up on a descriptor activates all its notifiers. A notifier disabled or deleted
//   by an earlier callback of the same pass receives nothing.
// - processEvents() honours WaitForMoreEvents, ExcludeSocketNotifiers (ready sockets stay ready for a later
//   pass) and X11ExcludeTimers, emits awake() and, before it sleeps, aboutToBlock().
// - A descriptor epoll cannot watch (a regular file) is always ready, as poll() reports it.
// Differences:
// - A descriptor closed while its notifier is still enabled goes silent (epoll drops it), where poll()
//   would report it invalid and Qt would disable the notifier with a warning.
// - Timer semantics are described in DispatcherTimerQueue (a very coarse timer runs at least a second).
class EpollEventDispatcher : public QAbstractEventDispatcher {
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject* parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier* notifier) override;
    void unregisterSocketNotifier(QSocketNotifier* notifier) override;

    using QAbstractEventDispatcher::registerTimer;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject* object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject* object) override;
    QList<TimerInfo> registeredTimers(QObject* object) const override;
    int remainingTime(int timerId) override;

    // Thread-safe: may be called from any thread.
    void wakeUp() override;
    void interrupt() override;

    // How many descriptors have at least one enabled notifier (for tests and diagnostics).
    int watchedDescriptorCount() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace swarmscope
