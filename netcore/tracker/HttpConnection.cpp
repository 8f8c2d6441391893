#include "tracker/HttpConnection.h"

#include <QTcpSocket>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace swarmscope {

namespace {

// Closing a socket that still has unread input makes the kernel send a reset, which can destroy the
// answer before the client reads it (a 413 to an upload in progress, say). So the server first shuts
// down only its sending side, then reads and discards until the client closes.
bool shutdownSending(QTcpSocket* socket) {
#ifdef Q_OS_UNIX
    return socket->socketDescriptor() >= 0 && ::shutdown(int(socket->socketDescriptor()), SHUT_WR) == 0;
#else
    Q_UNUSED(socket);
    return false;
#endif
}

// How far Qt reads ahead of a connection. While a connection's answers back up (see onReadyRead), the rest
// of its input stays in the kernel, whose full buffers make TCP push back on the client.
constexpr qint64 kReadAheadBytes = 256 * 1024;

} // namespace

void HttpConnection::refuse(QTcpSocket* socket, const HttpResponse& response, int lingerMs) {
    QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(lingerMs, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });
    socket->readAll();
    socket->write(response.serialize(false));
    socket->flush();
    if (socket->bytesToWrite() > 0 || !shutdownSending(socket))
        socket->disconnectFromHost();
}

HttpConnection::HttpConnection(QTcpSocket* socket, const HttpConnectionSettings& settings,
                               HttpBufferBudget* budget, Handler handler, ErrorHandler errorHandler,
                               QObject* parent)
    : QObject(parent), m_socket(socket), m_settings(settings), m_budget(budget),
      m_handler(std::move(handler)), m_errorHandler(std::move(errorHandler)) {
    m_socket->setParent(this);
    m_peer = m_socket->peerAddress();
    // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d; the swarm should see a.b.c.d.
    bool isV4 = false;
    const quint32 v4 = m_peer.toIPv4Address(&isV4);
    if (isV4)
        m_peer = QHostAddress(v4);

    m_socket->setReadBufferSize(kReadAheadBytes);

    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::onTimeout);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::finish);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &HttpConnection::finish);
    m_timer.start(m_settings.requestTimeoutMs);
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

HttpConnection::~HttpConnection() {
    if (m_holdsLargeBuffer && m_budget)
        --m_budget->largeBuffersInUse;
}

void HttpConnection::onReadyRead() {
    if (m_closing) {
        m_socket->readAll(); // after the last answer nothing more is read
        return;
    }
    // A client that pipelines requests without reading the answers is not read any further until they
    // drain (onBytesWritten picks up from here); otherwise its input would pile up here without bound.
    if (m_socket->bytesToWrite() > m_settings.maxPendingWriteBytes)
        return;
    m_buffer += m_socket->readAll();
    updateBudget();
    if (m_closing)
        return;
    processBuffer();
}

void HttpConnection::updateBudget() {
    const bool large = m_buffer.size() > m_settings.largeBufferBytes;
    if (large == m_holdsLargeBuffer || !m_budget)
        return;
    if (!large) {
        m_holdsLargeBuffer = false;
        --m_budget->largeBuffersInUse;
        m_buffer.squeeze();
        return;
    }
    if (m_budget->largeBuffersInUse >= m_budget->maxLargeBuffers) {
        m_buffer.clear();
        send(HttpResponse::text(503, QStringLiteral("too many large uploads in progress; retry later")),
             false);
        return;
    }
    m_holdsLargeBuffer = true;
    ++m_budget->largeBuffersInUse;
}

void HttpConnection::processBuffer() {
    while (!m_closing && !m_buffer.isEmpty()) {
        if (m_socket->bytesToWrite() > m_settings.maxPendingWriteBytes)
            return; // resumed by bytesWritten once the client reads its answers
        if (m_bytesNeeded > 0 && m_buffer.size() < m_bytesNeeded)
            return;
        const HttpRequestParseResult parsed = parseHttpRequest(m_buffer, m_settings.limits);
        if (parsed.status == HttpParseStatus::Incomplete) {
            m_bytesNeeded = parsed.bytesNeeded;
            return;
        }
        m_bytesNeeded = 0;
        if (parsed.status == HttpParseStatus::Error) {
            m_buffer.clear();
            send(m_errorHandler(parsed), false);
            return;
        }
        m_buffer.remove(0, parsed.consumed);
        updateBudget();
        ++m_served;
        const bool keepAlive = parsed.request.keepAlive() && m_served < m_settings.maxRequestsPerConnection;
        send(m_handler(parsed.request, m_peer), keepAlive);
    }
}

void HttpConnection::send(const HttpResponse& response, bool keepAlive) {
    if (m_finished || m_closing)
        return;
    m_socket->write(response.serialize(keepAlive));
    // Hand the answer to the kernel now rather than on the next loop turn: a client that half-closed
    // after its request makes Qt drop the socket, and any output still queued in Qt, on the next turn.
    m_socket->flush();
    m_timer.start(m_settings.requestTimeoutMs);
    if (keepAlive)
        return;
    m_closing = true;
    m_buffer.clear();
    startLingering();
}

void HttpConnection::onBytesWritten() {
    if (m_closing)
        startLingering();
    else if (m_socket->bytesAvailable() > 0)
        onReadyRead(); // input that waited while the answers backed up, then the parsing goes on
    else
        processBuffer();
}

void HttpConnection::startLingering() {
    if (m_lingering || m_finished || m_socket->bytesToWrite() > 0)
        return; // called again from bytesWritten once the answer is out
    m_lingering = true;
    if (!shutdownSending(m_socket)) {
        m_socket->disconnectFromHost();
        return;
    }
    m_timer.start(m_settings.lingerMs);
}

void HttpConnection::onTimeout() {
    if (m_closing) {
        // A client that neither reads its answer nor closes gets no more of our time.
        m_socket->abort();
        finish();
        return;
    }
    // Stray blank lines do not make a request; an idle keep-alive connection just closes.
    if (!m_buffer.trimmed().isEmpty()) {
        send(HttpResponse::text(408, QStringLiteral("request not received in time")), false);
        return;
    }
    m_closing = true;
    startLingering();
}

void HttpConnection::finish() {
    if (m_finished)
        return;
    m_finished = true;
    m_closing = true;
    m_timer.stop();
    emit closed(this);
    deleteLater();
}

} // namespace swarmscope
