#include "EpollThread.h"

#include <QTimer>

namespace swarmscope::transporttest {

EpollThread::EpollThread() {
    m_dispatcher = new EpollEventDispatcher;
    m_thread.setEventDispatcher(m_dispatcher); // the thread owns and deletes it
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    m_thread.start();
}

EpollThread::~EpollThread() {
    stop();
}

bool EpollThread::stop() {
    if (m_stopped)
        return true;
    m_stopped = true;
    QObject* context = m_context;
    run([context] { delete context; });
    m_thread.quit();
    return m_thread.wait(QDeadlineTimer(10000));
}

bool EpollThread::runLoop(const std::function<void(QEventLoop&)>& setUp, int timeoutMs) {
    return run([&setUp, timeoutMs] {
        QEventLoop loop;
        bool timedOut = false;
        QTimer guard;
        guard.setSingleShot(true);
        QObject::connect(&guard, &QTimer::timeout, &loop, [&] {
            timedOut = true;
            loop.quit();
        });
        guard.start(timeoutMs);
        setUp(loop);
        loop.exec();
        return !timedOut;
    });
}

} // namespace swarmscope::transporttest
