#pragma once

#include "clock/Scheduler.h"
#include "transport/ByteStream.h"
#include "transport/DatagramSocket.h"

#include <QHostAddress>
#include <QObject>
#include <QString>

#include <memory>

namespace swarmscope {

class SimulatedLink;

// A listening socket: incoming connections wait here until taken.
class Listener : public QObject {
    Q_OBJECT
public:
    explicit Listener(QObject* parent = nullptr) : QObject(parent) {}
    ~Listener() override;

    virtual QHostAddress address() const = 0;
    virtual quint16 port() const = 0;
    virtual bool hasPendingConnections() const = 0;
    // The next accepted connection, owned by the caller (no parent); null when none is waiting.
    virtual ByteStream* nextPendingConnection() = 0;
    // Stops listening; connections taken already are not affected.
    virtual void close() = 0;

signals:
    void newConnection();
};

// One node's view of a network: where it listens and connects, through its link, and the scheduler its
// streams run on. TcpNetwork is the host's real TCP; SimNetwork's hosts are nodes of a simulated network.
class Network {
public:
    virtual ~Network();

    virtual Scheduler& scheduler() = 0;
    // The node's link; every stream of this network goes through it.
    virtual SimulatedLink& link() = 0;

    // Listens on address:port (port 0: a free port). Null with *error when it cannot.
    virtual Listener* listen(const QHostAddress& address, quint16 port, int backlog, QString* error,
                             QObject* parent = nullptr) = 0;
    // A new outgoing connection, Connecting; it emits connected(), or closed() with errorString().
    virtual ByteStream* connectTo(const QHostAddress& address, quint16 port, QObject* parent = nullptr) = 0;
    // The same by name or address; a name the network cannot resolve fails the stream the same way.
    virtual ByteStream* connectToHost(const QString& host, quint16 port, QObject* parent = nullptr) = 0;
    // A UDP socket bound to address:port (port 0: a free port). Null with *error when it cannot.
    virtual std::unique_ptr<DatagramSocket> bindDatagram(const QHostAddress& address, quint16 port,
                                                         QString* error) = 0;
};

} // namespace swarmscope
