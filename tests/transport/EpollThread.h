#pragma once

#include "transport/EpollEventDispatcher.h"

#include <QEventLoop>
#include <QObject>
#include <QThread>

#include <functional>
#include <type_traits>

namespace swarmscope::transporttest {

// A started worker thread whose event dispatcher is an EpollEventDispatcher; quits and joins on
// destruction. Test code runs in it through run() and runLoop(); QTest's checks stay on the test thread.
class EpollThread {
public:
    EpollThread();
    ~EpollThread();
    EpollThread(const EpollThread&) = delete;
    EpollThread& operator=(const EpollThread&) = delete;

    QThread& thread() { return m_thread; }
    EpollEventDispatcher* dispatcher() const { return m_dispatcher; }
    // False when the thread did not finish within a few seconds of quit().
    bool stop();

    // Runs f in the thread, waits for it, and returns its result.
    template <typename F> auto run(F f) -> decltype(f()) {
        using Result = decltype(f());
        if constexpr (std::is_void_v<Result>) {
            QMetaObject::invokeMethod(m_context, std::move(f), Qt::BlockingQueuedConnection);
        } else {
            Result result{};
            QMetaObject::invokeMethod(m_context, std::move(f), Qt::BlockingQueuedConnection, &result);
            return result;
        }
    }

    // Runs setUp(loop) in the thread, then a nested event loop there until something quits the loop or
    // timeoutMs pass. Objects parented to the loop live until it ends. True when the loop was quit in time.
    bool runLoop(const std::function<void(QEventLoop&)>& setUp, int timeoutMs = 10000);

private:
    QThread m_thread;
    EpollEventDispatcher* m_dispatcher = nullptr;
    QObject* m_context = nullptr;
    bool m_stopped = false;
};

} // namespace swarmscope::transporttest
