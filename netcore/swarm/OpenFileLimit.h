#pragma once

#include <QtGlobal>

namespace swarmscope {

// A lab of hundreds of clients holds thousands of sockets (both ends of every loopback connection are in
// this process), far above the usual soft limit of 1024 descriptors. Raises the process's RLIMIT_NOFILE
// soft limit to its hard limit and returns the soft limit now in force (-1 when it cannot be read).
qint64 raiseOpenFileLimit();

// The most connections each of peers clients of one process on real sockets may hold so that all of them fit
// openFileLimit descriptors: each holds its own end of every connection, a listening socket and its data
// files, and the process needs some for everything else; a quarter is left spare for connections being
// opened and refused. At least 2; at most wanted.
int connectionsToFit(qint64 openFileLimit, int peers, int wanted);

} // namespace swarmscope
