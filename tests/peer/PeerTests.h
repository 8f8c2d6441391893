#pragma once

#include <QObject>

#include <memory>

namespace swarmscope {

// The test classes of the suite, one per file; tst_main.cpp runs them all in one executable.
std::unique_ptr<QObject> createPeerPartsTests();
std::unique_ptr<QObject> createTransferTests();
std::unique_ptr<QObject> createHostilePeerTests();
std::unique_ptr<QObject> createHostilePeerTests2();
std::unique_ptr<QObject> createExtensionPeerTests();
std::unique_ptr<QObject> createMagnetPeerTests();

} // namespace swarmscope
