#pragma once

#include <QTcpServer>
#include <QTcpSocket>

#include <memory>

namespace swarmscope::simtest {

// Two connected TCP sockets on 127.0.0.1, on a port the system picks.
struct LoopbackPair {
    std::unique_ptr<QTcpSocket> a; // the connecting side
    std::unique_ptr<QTcpSocket> b; // the accepted side
};

// Empty sockets when the connection could not be made within a few seconds.
LoopbackPair connectLoopbackPair();

} // namespace swarmscope::simtest
