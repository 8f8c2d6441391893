#include "tracker/HttpConnection.h"

#include "transport/ByteStream.h"

#include <QPointer>

namespace swarmscope {

namespace {

// How far the stream takes input ahead of this connection. While a connection's answers back up (see
// onReadyRead), the rest of its input stays with the network, whose full buffers push back on the client.
constexpr qint64 kReadAheadBytes = 256 * 1024;

QHostAddress normalised(const QHostAddress& address) {
    // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d; the swarm should see a.b.c.d.
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

} // namespace

void HttpConnection::refuse(ByteStream* stream, Scheduler& scheduler, const HttpResponse& response,
                            int lingerMs) {
    // Closing a connection that still has unread input can make TCP send a reset, which destroys the answer
    // before the client reads it. So the answer goes out with a half-close, and input is read and dropped
    // until the client closes too, or the linger time is up.
    QObject::connect(stream, &ByteStream::readyRead, stream, [stream] { stream->readAll(); });
    QObject::connect(stream, &ByteStream::closed, stream, &QObject::deleteLater);
    scheduler.callAfter(fromMs(lingerMs), [guard = QPointer<ByteStream>(stream)] {
        if (!guard)
            return;
        guard->abort();
        guard->deleteLater();
    });
    stream->readAll();
    stream->write(response.serialize(false));
    stream->close();
}

HttpConnection::HttpConnection(ByteStream* stream, Scheduler& scheduler,
                               const HttpConnectionSettings& settings, HttpBufferBudget* budget,
                               Handler handler, ErrorHandler errorHandler, QObject* parent)
    : QObject(parent), m_stream(stream), m_settings(settings), m_budget(budget),
      m_handler(std::move(handler)), m_errorHandler(std::move(errorHandler)),
      m_timer(scheduler, [this] { onTimeout(); }) {
    m_stream->setParent(this);
    m_peer = normalised(m_stream->peerAddress());
    m_stream->setReadBufferLimit(kReadAheadBytes);
    connect(m_stream, &ByteStream::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_stream, &ByteStream::bytesSent, this, &HttpConnection::onBytesSent);
    connect(m_stream, &ByteStream::closed, this, &HttpConnection::finish);
    m_timer.startMs(m_settings.requestTimeoutMs);
    if (m_stream->bytesAvailable() > 0)
        onReadyRead();
}

HttpConnection::~HttpConnection() {
    if (m_holdsLargeBuffer && m_budget)
        --m_budget->largeBuffersInUse;
}

void HttpConnection::onReadyRead() {
    if (m_closing) {
        m_stream->readAll(); // after the last answer nothing more is read
        return;
    }
    // A client that pipelines requests without reading the answers is not read any further until they
    // drain (onBytesSent picks up from here); otherwise its input would pile up here without bound.
    if (m_stream->bytesToWrite() > m_settings.maxPendingWriteBytes)
        return;
    m_buffer += m_stream->readAll();
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
        if (m_stream->bytesToWrite() > m_settings.maxPendingWriteBytes)
            return; // resumed by bytesSent once the client reads its answers
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
    m_stream->write(response.serialize(keepAlive));
    m_timer.startMs(m_settings.requestTimeoutMs);
    if (keepAlive)
        return;
    m_closing = true;
    m_buffer.clear();
    startLingering();
}

void HttpConnection::onBytesSent() {
    if (m_closing) {
        armLinger();
        return;
    }
    if (m_stream->bytesAvailable() > 0)
        onReadyRead(); // input that waited while the answers backed up, then the parsing goes on
    else
        processBuffer();
}

void HttpConnection::startLingering() {
    if (m_lingering || m_finished)
        return;
    m_lingering = true;
    // A half-close: the answer still goes out first; the client's own close ends the connection.
    m_stream->close();
    armLinger();
}

void HttpConnection::armLinger() {
    // The linger time runs once the answer is out; until then the request timeout bounds a client that does
    // not read it.
    if (!m_lingering || m_lingerArmed || m_stream->bytesToWrite() > 0)
        return;
    m_lingerArmed = true;
    m_timer.startMs(m_settings.lingerMs);
}

void HttpConnection::onTimeout() {
    if (m_closing) {
        // A client that neither reads its answer nor closes gets no more of our time.
        m_stream->abort();
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
