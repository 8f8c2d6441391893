#pragma once

#include "metainfo/Metainfo.h"
#include "wire/MessageFramer.h"

#include <QByteArray>
#include <QObject>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>

namespace swarmscope::peertest {

// A scripted peer on a raw QTcpSocket: it writes exactly the bytes a test gives it, so a test can send what
// no well-behaved client would. It can dial a client or listen for the client to dial it.
class FakePeer : public QObject {
    Q_OBJECT
public:
    explicit FakePeer(const QByteArray& infoHash, QObject* parent = nullptr);

    static QByteArray peerIdFor(char tag); // "-FK0001-" + 12 x tag

    bool connectTo(quint16 port, int timeoutMs = 3000);
    quint16 listen(); // 0 on failure; the first connection accepted becomes socket()

    void send(const QByteArray& bytes);
    // reserved: the 8 reserved bytes (extension bits); empty: all zero.
    void sendHandshake(const QByteArray& infoHash = {}, const QByteArray& reserved = {});
    QTcpSocket* socket() const { return m_socket; }
    const QByteArray& received() const { return m_received; }
    bool isDisconnected() const;
    // Processes events until the client closes the connection.
    bool waitForDisconnect(int timeoutMs = 3000);
    bool waitForBytes(qsizetype count, int timeoutMs = 3000);

    // Serving mode: answers the client's handshake with its own, a full bitfield and an unchoke, then every
    // request with a block of the requested length filled with fill (a corrupt seeder) or from data (an
    // honest one, when data is not empty).
    void serveAsSeeder(const Metainfo& metainfo, char fill, const QByteArray& data = {});
    int requestsServed() const { return m_served; }
    // Serving mode speaks BEP 6: its handshake sets the fast bit, HAVE ALL replaces the bitfield, and the
    // first request for every block gets a REJECT REQUEST (the second is served).
    void setRejectFirstRequests(bool reject) { m_rejectFirst = reject; }
    int requestsRejected() const { return m_rejected; }

private:
    void onReadyRead();
    void adopt(QTcpSocket* socket);

    QByteArray m_infoHash;
    QByteArray m_peerId;
    QTcpServer m_server;
    QTcpSocket* m_socket = nullptr;
    QByteArray m_received;
    // serving mode
    bool m_serving = false;
    Metainfo m_metainfo;
    char m_fill = 0;
    QByteArray m_data;
    bool m_handshakeDone = false;
    QByteArray m_pending;
    MessageFramer m_framer;
    int m_served = 0;
    bool m_rejectFirst = false;
    QSet<quint64> m_rejectedBlocks;
    int m_rejected = 0;
};

} // namespace swarmscope::peertest
