#pragma once

#include <QtGlobal>

namespace swarmscope {

// A lab of hundreds of clients holds thousands of sockets (both ends of every loopback connection are in
// this process), far above the usual soft limit of 1024 descriptors. Raises the process's RLIMIT_NOFILE
// soft limit to its hard limit and returns the soft limit now in force (-1 when it cannot be read).
qint64 raiseOpenFileLimit();

} // namespace swarmscope
