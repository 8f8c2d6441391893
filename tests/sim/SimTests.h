#pragma once

#include <QObject>

#include <memory>

namespace swarmscope {

// The test classes of the suite, one per file; tst_main.cpp runs them all in one executable.
std::unique_ptr<QObject> createRateLimiterTests();
std::unique_ptr<QObject> createDelayLineTests();
std::unique_ptr<QObject> createBandwidthQueueTests();
std::unique_ptr<QObject> createTcpStreamTests();

} // namespace swarmscope
