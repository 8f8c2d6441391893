#include "WireTestSupport.h"

#include "MultiClassTestMain.h"

#include <QCoreApplication>

using namespace swarmscope;

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    return testsupport::runTestClasses(argc, argv,
                                       {createBitfieldTests, createHandshakeTests, createMessageTests,
                                        createFramerTests, createExtensionTests, createFastExtensionTests,
                                        createMetadataMessageTests, createPexMessageTests});
}
