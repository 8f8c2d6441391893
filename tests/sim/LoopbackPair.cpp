#include "LoopbackPair.h"

#include <QHostAddress>

namespace swarmscope::simtest {

LoopbackPair connectLoopbackPair() {
    LoopbackPair pair;
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return pair;
    auto client = std::make_unique<QTcpSocket>();
    client->connectToHost(QHostAddress::LocalHost, server.serverPort());
    if (!client->waitForConnected(5000) || !server.waitForNewConnection(5000))
        return pair;
    QTcpSocket* accepted = server.nextPendingConnection();
    accepted->setParent(nullptr); // outlive the server
    pair.a = std::move(client);
    pair.b.reset(accepted);
    return pair;
}

} // namespace swarmscope::simtest
