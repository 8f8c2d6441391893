#pragma once

#include <QList>
#include <QtGlobal>

namespace swarmscope {

// The Kumar–Ross lower bound on the time to distribute one file from seeders to leechers:
//     max(F / u_s, F / d_min, N * F / (u_s + sum u_i))
// F the file size, u_s the seeders' upload capacity (summed over seeders), u_i each leecher's upload,
// d_min the smallest leecher download capacity, N the number of leechers. Capacities are bytes per second
// with 0 meaning unlimited: an unlimited seeder or leecher upload makes the sums infinite (their terms
// vanish), an unlimited download drops out of d_min.
struct SwarmCapacities {
    qint64 fileSize = 0;
    QList<qint64> seederUploads;
    QList<qint64> leecherUploads;
    QList<qint64> leecherDownloads; // one per leecher, like leecherUploads
};

// Seconds. NaN when the bound is undefined: no leechers, or no term is finite and positive (everything
// unlimited). +infinity when there are leechers but no seeders (the file can never be distributed).
double kumarRossBoundSeconds(const SwarmCapacities& capacities);

// The lab's usual set-up: every seeder alike and every leecher alike.
double kumarRossBoundSeconds(qint64 fileSize, int seeders, qint64 seederUpload, int leechers,
                             qint64 leecherUpload, qint64 leecherDownload);

} // namespace swarmscope
