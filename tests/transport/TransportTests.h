#pragma once

#include <QObject>

#include <memory>

namespace swarmscope {

// The test classes of the suite, one per file; tst_main.cpp runs them all in one executable.
std::unique_ptr<QObject> createDispatcherTimerQueueTests();
std::unique_ptr<QObject> createEpollTimerTests();
std::unique_ptr<QObject> createEpollSocketTests();
std::unique_ptr<QObject> createEpollTcpTests();

} // namespace swarmscope
