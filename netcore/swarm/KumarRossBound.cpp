#include "swarm/KumarRossBound.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace swarmscope {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// A sum of capacities in which one unlimited member makes the whole unlimited.
double capacitySum(const QList<qint64>& rates) {
    double sum = 0;
    for (qint64 rate : rates) {
        if (rate <= 0)
            return kInfinity;
        sum += double(rate);
    }
    return sum;
}

} // namespace

double kumarRossBoundSeconds(const SwarmCapacities& c) {
    const int leechers = int(c.leecherUploads.size());
    if (leechers == 0)
        return std::nan("");
    if (c.seederUploads.isEmpty())
        return kInfinity;
    const double file = double(c.fileSize);
    if (file <= 0)
        return 0.0;

    const double seed = capacitySum(c.seederUploads);
    const double peers = capacitySum(c.leecherUploads);
    double slowestDownload = kInfinity;
    for (qint64 rate : c.leecherDownloads)
        if (rate > 0)
            slowestDownload = std::min(slowestDownload, double(rate));

    // x / infinity is 0, which is how an unlimited capacity drops its term.
    const double bound = std::max({file / seed, file / slowestDownload, leechers * file / (seed + peers)});
    return bound > 0 ? bound : std::nan("");
}

double kumarRossBoundSeconds(qint64 fileSize, int seeders, qint64 seederUpload, int leechers,
                             qint64 leecherUpload, qint64 leecherDownload) {
    SwarmCapacities c;
    c.fileSize = fileSize;
    c.seederUploads = QList<qint64>(qMax(0, seeders), seederUpload);
    c.leecherUploads = QList<qint64>(qMax(0, leechers), leecherUpload);
    c.leecherDownloads = QList<qint64>(qMax(0, leechers), leecherDownload);
    return kumarRossBoundSeconds(c);
}

} // namespace swarmscope
