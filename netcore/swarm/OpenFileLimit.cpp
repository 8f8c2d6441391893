#include "swarm/OpenFileLimit.h"

#include <sys/resource.h>

namespace swarmscope {

qint64 raiseOpenFileLimit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return -1;
    if (limit.rlim_cur != limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        // Some systems refuse RLIM_INFINITY for descriptors; keeping the old limit is then the best we can
        // do.
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit = raised;
    }
    return limit.rlim_cur == RLIM_INFINITY ? qint64(-1) : qint64(limit.rlim_cur);
}

int connectionsToFit(qint64 openFileLimit, int peers, int wanted) {
    if (openFileLimit <= 0 || peers <= 0)
        return wanted;
    // The tracker, the hash pool, event loops, the GUI and a few files besides the peers'.
    constexpr qint64 kReserve = 512;
    // A listening socket, the data file, and a descriptor in flight (a tracker announce, a refused dial).
    constexpr qint64 kPerPeer = 3;
    const qint64 forConnections = (openFileLimit - kReserve) / peers - kPerPeer;
    const qint64 fit = forConnections * 3 / 4;
    return int(qBound<qint64>(2, fit, qint64(wanted)));
}

} // namespace swarmscope
