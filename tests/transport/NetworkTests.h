#pragma once

#include <QObject>

#include <memory>

namespace swarmscope {

// The test classes of test_transport (the seam's networks), one per file; tst_network_main.cpp runs them all.
std::unique_ptr<QObject> createSimConnectTests();
std::unique_ptr<QObject> createSimTransferTests();
std::unique_ptr<QObject> createSimCloseTests();
std::unique_ptr<QObject> createTcpNetworkTests();

} // namespace swarmscope
