#include "FakePeer.h"

#include "wire/Bitfield.h"
#include "wire/Handshake.h"
#include "wire/MessageEncoder.h"
#include "wire/TorrentGeometry.h"

#include <QDeadlineTimer>
#include <QTest>

namespace swarmscope::peertest {

FakePeer::FakePeer(const QByteArray& infoHash, QObject* parent)
    : QObject(parent), m_infoHash(infoHash), m_peerId(peerIdFor('x')) {
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        QTcpSocket* s = m_server.nextPendingConnection();
        if (!m_socket)
            adopt(s);
        else
            s->abort();
    });
}

QByteArray FakePeer::peerIdFor(char tag) {
    return QByteArray("-FK0001-") + QByteArray(12, tag);
}

void FakePeer::adopt(QTcpSocket* socket) {
    m_socket = socket;
    m_socket->setParent(this);
    connect(m_socket, &QTcpSocket::readyRead, this, &FakePeer::onReadyRead);
}

bool FakePeer::connectTo(quint16 port, int timeoutMs) {
    auto* socket = new QTcpSocket(this);
    adopt(socket);
    socket->connectToHost(QHostAddress::LocalHost, port);
    QDeadlineTimer deadline(timeoutMs);
    while (socket->state() != QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
        QTest::qWait(5);
        if (socket->state() == QAbstractSocket::UnconnectedState)
            return false;
    }
    return socket->state() == QAbstractSocket::ConnectedState;
}

quint16 FakePeer::listen() {
    return m_server.listen(QHostAddress::LocalHost, 0) ? m_server.serverPort() : quint16(0);
}

void FakePeer::send(const QByteArray& bytes) {
    if (m_socket)
        m_socket->write(bytes);
}

void FakePeer::sendHandshake(const QByteArray& infoHash, const QByteArray& reserved) {
    Handshake handshake;
    if (!reserved.isEmpty())
        handshake.reserved = reserved;
    handshake.infoHash = infoHash.isEmpty() ? m_infoHash : infoHash;
    handshake.peerId = m_peerId;
    send(encodeHandshake(handshake));
}

bool FakePeer::isDisconnected() const {
    return !m_socket || m_socket->state() == QAbstractSocket::UnconnectedState;
}

bool FakePeer::waitForDisconnect(int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    while (!isDisconnected() && !deadline.hasExpired())
        QTest::qWait(5);
    return isDisconnected();
}

bool FakePeer::waitForBytes(qsizetype count, int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    while (m_received.size() < count && !deadline.hasExpired())
        QTest::qWait(5);
    return m_received.size() >= count;
}

void FakePeer::serveAsSeeder(const Metainfo& metainfo, char fill, const QByteArray& data) {
    m_serving = true;
    m_metainfo = metainfo;
    m_fill = fill;
    m_data = data;
    m_framer.setGeometry(TorrentGeometry::fromMetainfo(metainfo));
}

void FakePeer::onReadyRead() {
    const QByteArray bytes = m_socket->readAll();
    m_received.append(bytes);
    if (!m_serving)
        return;
    m_pending.append(bytes);
    if (!m_handshakeDone) {
        if (m_pending.size() < Handshake::kLength)
            return;
        m_pending.remove(0, Handshake::kLength);
        m_handshakeDone = true;
        if (m_rejectFirst) {
            Handshake fast;
            fast.setFastExtension();
            sendHandshake({}, fast.reserved);
            send(wire::encodeSimple(MessageType::HaveAll));
        } else {
            sendHandshake();
            send(wire::encodeBitfield(Bitfield(m_metainfo.pieceCount(), true)));
        }
        send(wire::encodeSimple(MessageType::Unchoke));
    }
    QByteArrayView view(m_pending);
    while (!view.isEmpty()) {
        MessageFramer::Step step = m_framer.feed(view);
        view = view.sliced(step.consumed);
        if (step.isError()) {
            m_socket->abort();
            return;
        }
        if (!step.hasMessage() || step.message.type != MessageType::Request)
            continue;
        const WireMessage& r = step.message;
        const quint64 key = quint64(r.index) << 32 | r.begin;
        if (m_rejectFirst && !m_rejectedBlocks.contains(key)) {
            m_rejectedBlocks.insert(key);
            send(wire::encodeReject(r.index, r.begin, r.length));
            ++m_rejected;
            continue;
        }
        QByteArray block;
        if (m_data.isEmpty())
            block = QByteArray(qsizetype(r.length), m_fill);
        else
            block = m_data.mid(qsizetype(r.index) * m_metainfo.pieceLength + r.begin, r.length);
        send(wire::encodePiece(r.index, r.begin, block));
        ++m_served;
    }
    m_pending.clear();
}

} // namespace swarmscope::peertest
