#include "StorageTests.h"

#include <QCoreApplication>

#include <cstring>

int main(int argc, char** argv) {
    if (argc > 1 && std::strcmp(argv[1], "--size-limited-child") == 0)
        return runSizeLimitedChild(argc, argv);
    QCoreApplication app(argc, argv);
    int failures = 0;
    failures += runPieceLayoutTests(argc, argv);
    failures += runTorrentStorageTests(argc, argv);
    failures += runStorageSafetyTests(argc, argv);
    failures += runResumeDataTests(argc, argv);
    return failures == 0 ? 0 : 1;
}
