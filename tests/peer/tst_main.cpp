#include "PeerTests.h"

#include "MultiClassTestMain.h"

#include <QCoreApplication>

using namespace swarmscope;

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    return testsupport::runTestClasses(argc, argv,
                                       {createPeerPartsTests, createTransferTests, createHostilePeerTests,
                                        createHostilePeerTests2, createExtensionPeerTests,
                                        createMagnetPeerTests});
}
