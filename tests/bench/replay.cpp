// Replaying a recording in the window: how long File > Open Recording takes (reading, checking every
// frame, building the charts' history) and the longest stall while the timeline is dragged across the run,
// forwards and then back in jumps, each position drawn before the next.
//
//   swarmscope swarm --time simulated --leechers 999 --size 16MiB --record big.swrec
//   QT_QPA_PLATFORM=offscreen ./bench_replay big.swrec [positions]
#include "timeline/TimelineBar.h"
#include "window/MainWindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace swarmscope;
using namespace swarmscope::ui;

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_replay FILE [positions]\n");
        return 2;
    }
    const QString path = QString::fromLocal8Bit(argv[1]);
    const int positions = argc > 2 ? std::max(2, std::atoi(argv[2])) : 200;
    QTemporaryDir labDir;
    SwarmLabConfig config;
    config.labDir = labDir.path();
    MainWindow window(config);
    window.resize(1440, 900);
    window.show();
    QApplication::processEvents();

    QElapsedTimer clock;
    clock.start();
    QString error;
    if (!window.openRecording(path, &error)) {
        std::fprintf(stderr, "bench_replay: %s\n", error.toUtf8().constData());
        return 1;
    }
    QApplication::processEvents();
    const double openSeconds = clock.nsecsElapsed() / 1e9;
    const qint64 start = window.timeline()->startMs();
    const qint64 end = window.timeline()->endMs();
    const int peers = window.currentSnapshot() ? int(window.currentSnapshot()->peers.size()) : 0;

    // A drag: the positions in order; then jumps back and forth, the worst case for reading frames.
    std::vector<qint64> order;
    for (int k = 0; k < positions; ++k)
        order.push_back(start + (end - start) * k / (positions - 1));
    for (int k = 0; k < positions; ++k)
        order.push_back(start + (end - start) * ((k * 37) % positions) / (positions - 1));
    std::vector<double> stalls;
    std::vector<double> reads;
    for (qint64 ms : order) {
        clock.restart();
        window.showMoment(ms);
        reads.push_back(clock.nsecsElapsed() / 1e6);
        window.repaint(); // what the user sees, drawn now
        QApplication::processEvents();
        stalls.push_back(clock.nsecsElapsed() / 1e6);
    }
    std::sort(reads.begin(), reads.end());
    std::vector<double> sorted = stalls;
    std::sort(sorted.begin(), sorted.end());
    std::printf("recording: %s, %.1f MiB, %d peers, %.1f s of lab time\n", argv[1],
                QFileInfo(path).size() / 1048576.0, peers, (end - start) / 1000.0);
    std::printf("open: %.2f s\n", openSeconds);
    std::printf("scrub: %zu positions, median %.1f ms, 95th %.1f ms, max %.1f ms per position\n",
                sorted.size(), sorted[sorted.size() / 2], sorted[sorted.size() * 95 / 100], sorted.back());
    std::printf(
        "  of which reading the moment and handing it to the views: median %.1f ms, 95th %.1f ms, max "
        "%.1f ms\n",
        reads[reads.size() / 2], reads[reads.size() * 95 / 100], reads.back());
    return 0;
}
