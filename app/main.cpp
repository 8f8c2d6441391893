#include "Version.h"

#include <QCoreApplication>
#include <cstdio>

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    std::printf("swarmscope %s\n", SWARMSCOPE_VERSION);
    return 0;
}
