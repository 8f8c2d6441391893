#pragma once

#include "sim/BandwidthUser.h"
#include "transport/ByteStream.h"
#include "transport/Network.h"

#include <QByteArray>

#include <deque>
#include <memory>

namespace swarmscope {

class SimNetwork;
class SimulatedLink;
struct SimConnection;

// One end of a connection on the simulated network (see SimNetwork). The bytes it writes wait here until this
// host's upload cap lets them across, travel for both ends' latency, and wait at the other end for that
// host's download cap; a window per direction keeps the other end from being flooded, so a slow reader holds
// the writer back.
class SimStream final : public ByteStream, private BandwidthUser {
    Q_OBJECT
public:
    ~SimStream() override;

    State state() const override;
    QHostAddress peerAddress() const override;
    quint16 peerPort() const override;
    QString errorString() const override { return m_error; }

    quint64 write(QByteArray data) override;
    bool cancelWrite(quint64 id) override;
    qint64 bytesToWrite() const override;
    // What crossed the link travels on in the network; only what waits for the cap is lost with the stream.
    bool isFlushed() const override { return bytesToWrite() == 0; }

    qint64 bytesAvailable() const override { return m_readBuffer.size(); }
    QByteArray read(qint64 maxSize) override;
    QByteArray readAll() override;
    void setReadBufferLimit(qint64 bytes) override;

    void close() override;
    void abort() override;

private:
    friend class SimHost;
    friend class SimListener;
    friend struct SimConnection;

    SimStream(std::shared_ptr<SimConnection> connection, int side, QObject* parent = nullptr);

    qint64 bandwidthWanted(Direction direction) const override;
    void bandwidthGranted(Direction direction, qint64 bytes) override;

    SimulatedLink& link() const;
    void pumpUpload();
    void pumpDownload();
    void sendAcross(qint64 bytes);
    void receive(qint64 bytes);
    void onEstablished();
    void fail(const QString& error);
    void resetAbandonedServerEnd();
    void postReadyRead();
    void postBytesSent(qint64 bytes);
    void postClosed();
    void leaveQueues();
    void detach();

    std::shared_ptr<SimConnection> m_connection;
    int m_side;
    QByteArray m_readBuffer;
    qint64 m_readLimit = 0;
    QString m_error;
    quint64 m_lastWriteId = 0;
    bool m_established = false;
    bool m_closeRequested = false;
    bool m_closed = false;   // closed() emitted, or aborted
    bool m_draining = false; // closed() by the peer's end: what was written still goes out, then our end
    bool m_closedPosted = false;
    bool m_readyPosted = false;
    qint64 m_sentUnreported = 0;
    enum Post { PostReadyRead, PostClosed, PostBytesSent, PostPump, PostKinds };
    void postOwn(Post kind, std::function<void()> f);
    Scheduler::Id m_posts[PostKinds] = {};
};

// A listening port of a SimHost.
class SimListener final : public Listener {
    Q_OBJECT
public:
    ~SimListener() override;

    QHostAddress address() const override { return m_address; }
    quint16 port() const override { return m_port; }
    bool hasPendingConnections() const override { return !m_pending.empty(); }
    ByteStream* nextPendingConnection() override;
    void close() override;

private:
    friend class SimHost;
    friend class SimNetwork;
    SimListener(SimNetwork& fabric, const QHostAddress& address, quint16 port, int backlog, QObject* parent);
    bool accept(SimStream* stream);

    SimNetwork& m_fabric;
    QHostAddress m_address;
    quint16 m_port;
    int m_backlog;
    bool m_listening = false;
    std::deque<SimStream*> m_pending;
};

} // namespace swarmscope
