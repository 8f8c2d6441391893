#include "EpollThread.h"
#include "TransportTests.h"

#include <QHostAddress>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <vector>

using namespace swarmscope;
using namespace swarmscope::transporttest;

namespace {

constexpr qint64 MiB = 1024 * 1024;
constexpr int idlePairs = 400;
constexpr int roundTrips = 300;
constexpr qint64 messageSize = 4096;

QByteArray randomBytes(qint64 size, quint32 seed) {
    QByteArray out(size, Qt::Uninitialized);
    QRandomGenerator rng(seed);
    rng.fillRange(reinterpret_cast<quint32*>(out.data()), size / 4);
    return out;
}

} // namespace

// Real QTcpServer and QTcpSocket traffic on 127.0.0.1, everything in the dispatcher's thread.
class TestEpollTcp : public QObject {
    Q_OBJECT
private slots:
    void tcpConnection_exchangesSeveralMiBBothWays() {
        EpollThread worker;
        const QByteArray fromClient = randomBytes(6 * MiB, 1);
        const QByteArray fromServer = randomBytes(5 * MiB, 2);
        QByteArray receivedByServer;
        QByteArray receivedByClient;
        QVERIFY(worker.runLoop(
            [&](QEventLoop& loop) {
                auto* server = new QTcpServer(&loop);
                if (!server->listen(QHostAddress::LocalHost, 0)) {
                    loop.quit();
                    return;
                }
                auto* client = new QTcpSocket(&loop);
                auto finishWhenDone = [&] {
                    if (receivedByServer.size() >= fromClient.size() &&
                        receivedByClient.size() >= fromServer.size())
                        loop.quit();
                };
                connect(server, &QTcpServer::newConnection, &loop, [&, server, finishWhenDone] {
                    QTcpSocket* accepted = server->nextPendingConnection();
                    accepted->setParent(&loop);
                    connect(accepted, &QTcpSocket::readyRead, &loop, [&, accepted, finishWhenDone] {
                        receivedByServer += accepted->readAll();
                        finishWhenDone();
                    });
                    accepted->write(fromServer);
                });
                connect(client, &QTcpSocket::connected, &loop, [&, client] { client->write(fromClient); });
                connect(client, &QTcpSocket::readyRead, &loop, [&, client, finishWhenDone] {
                    receivedByClient += client->readAll();
                    finishWhenDone();
                });
                client->connectToHost(QHostAddress::LocalHost, server->serverPort());
            },
            30000));
        QCOMPARE(receivedByServer.size(), fromClient.size());
        QCOMPARE(receivedByClient.size(), fromServer.size());
        QVERIFY(receivedByServer == fromClient);
        QVERIFY(receivedByClient == fromServer);
    }

    void hundredsOfIdleSockets_oneActivePairStillPingPongs() {
        constexpr int pairs = idlePairs;
        EpollThread worker;
        int idleReads = 0;
        int completedRoundTrips = 0;
        int watchedWhileOpen = -1;
        int watchedAfterClose = -1;
        QVERIFY(worker.runLoop(
            [&](QEventLoop& loop) {
                auto* dispatcher = qobject_cast<EpollEventDispatcher*>(QAbstractEventDispatcher::instance());
                auto* server = new QTcpServer(&loop);
                server->setListenBacklogSize(1024);
                if (!server->listen(QHostAddress::LocalHost, 0)) {
                    loop.quit();
                    return;
                }
                auto* sockets = new std::vector<QPointer<QTcpSocket>>;
                connect(&loop, &QObject::destroyed, [sockets] {
                    for (const QPointer<QTcpSocket>& socket : *sockets) // only left on a failure
                        delete socket.data();
                    delete sockets;
                });
                auto* clients = new std::vector<QTcpSocket*>;
                auto* accepted = new std::vector<QTcpSocket*>;
                connect(&loop, &QObject::destroyed, [clients, accepted] {
                    delete clients;
                    delete accepted;
                });
                const QByteArray message(messageSize, 'p');

                auto closeAll = [&, dispatcher, server, sockets] {
                    for (const QPointer<QTcpSocket>& socket : *sockets)
                        delete socket.data();
                    watchedAfterClose = dispatcher->watchedDescriptorCount(); // the listening socket
                    server->close();
                    loop.quit();
                };
                // Once every pair is up, client 0 and its accepted peer ping-pong; the rest stay idle.
                auto startPingPong = [&, dispatcher, clients, accepted, message, closeAll] {
                    watchedWhileOpen = dispatcher->watchedDescriptorCount();
                    QTcpSocket* ping = clients->front();
                    QTcpSocket* pong = nullptr;
                    for (QTcpSocket* candidate : *accepted) {
                        if (candidate->peerPort() == ping->localPort())
                            pong = candidate;
                    }
                    if (!pong) {
                        loop.quit();
                        return;
                    }
                    for (const std::vector<QTcpSocket*>* side : {clients, accepted}) {
                        for (QTcpSocket* socket : *side) {
                            if (socket != ping && socket != pong)
                                connect(socket, &QTcpSocket::readyRead, &loop, [&] { ++idleReads; });
                        }
                    }
                    connect(pong, &QTcpSocket::readyRead, &loop, [pong] {
                        while (pong->bytesAvailable() >= messageSize)
                            pong->write(pong->read(messageSize));
                    });
                    connect(ping, &QTcpSocket::readyRead, &loop, [&, ping, message, closeAll] {
                        while (ping->bytesAvailable() >= messageSize) {
                            ping->read(messageSize);
                            if (++completedRoundTrips == roundTrips) {
                                QTimer::singleShot(0, &loop, closeAll); // not from inside a socket's signal
                                return;
                            }
                            ping->write(message);
                        }
                    });
                    ping->write(message);
                };
                auto* connectedCount = new int(0);
                connect(&loop, &QObject::destroyed, [connectedCount] { delete connectedCount; });
                auto maybeStart = [accepted, connectedCount, startPingPong] {
                    if (int(accepted->size()) == pairs && *connectedCount == pairs)
                        startPingPong();
                };
                connect(server, &QTcpServer::newConnection, &loop,
                        [&, server, sockets, accepted, maybeStart] {
                            while (QTcpSocket* socket = server->nextPendingConnection()) {
                                socket->setParent(nullptr);
                                accepted->push_back(socket);
                                sockets->push_back(socket);
                            }
                            maybeStart();
                        });
                for (int i = 0; i < pairs; ++i) {
                    auto* client = new QTcpSocket;
                    clients->push_back(client);
                    sockets->push_back(client);
                    connect(client, &QTcpSocket::connected, &loop, [connectedCount, maybeStart] {
                        ++*connectedCount;
                        maybeStart();
                    });
                    client->connectToHost(QHostAddress::LocalHost, server->serverPort());
                }
            },
            60000));
        QCOMPARE(completedRoundTrips, roundTrips);
        QCOMPARE(idleReads, 0);
        QCOMPARE(watchedWhileOpen, 2 * pairs + 1);
        QCOMPARE(watchedAfterClose, 1);
    }
};

std::unique_ptr<QObject> swarmscope::createEpollTcpTests() {
    return std::make_unique<TestEpollTcp>();
}

#include "tst_epolltcp.moc"
