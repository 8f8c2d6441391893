#include "tracker/HttpClient.h"

#include "tracker/HttpUrl.h"

#include <QTcpSocket>

namespace swarmscope {

HttpClient::HttpClient(QObject* parent) : QObject(parent) {
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this,
            [this] { fail(QStringLiteral("timed out (%1)").arg(m_endpoint)); });
}

HttpClient::~HttpClient() {
    dropSocket();
}

void HttpClient::dropSocket() {
    if (!m_socket)
        return;
    m_socket->disconnect(this);
    m_socket->abort();
    m_socket->deleteLater();
    m_socket = nullptr;
}

void HttpClient::abort() {
    ++m_generation;
    m_busy = false;
    m_timer.stop();
    dropSocket();
}

void HttpClient::start(const HttpClientRequest& request) {
    abort();
    m_busy = true;
    QString error;
    const auto url = parseHttpUrl(request.url, &error);
    if (!url) {
        const quint64 generation = m_generation;
        QMetaObject::invokeMethod(
            this,
            [this, generation, error, text = request.url] {
                if (generation == m_generation)
                    fail(error + QStringLiteral(" (") + text + QLatin1Char(')'));
            },
            Qt::QueuedConnection);
        return;
    }
    m_endpoint = QString::fromLatin1(url->authority);
    HttpResponseLimits limits;
    limits.maxBodyBytes = request.maxResponseBytes;
    m_parser = HttpResponseParser(limits);

    m_requestBytes = request.method + ' ' + url->target + " HTTP/1.1\r\n";
    m_requestBytes += "Host: " + url->authority + "\r\n";
    m_requestBytes += "User-Agent: Swarmscope\r\nAccept-Encoding: identity\r\nConnection: close\r\n";
    if (!request.body.isEmpty() || request.method == "POST" || request.method == "PUT") {
        if (!request.contentType.isEmpty())
            m_requestBytes += "Content-Type: " + request.contentType + "\r\n";
        m_requestBytes += "Content-Length: " + QByteArray::number(request.body.size()) + "\r\n";
    }
    m_requestBytes += "\r\n";
    m_requestBytes += request.body;

    m_socket = new QTcpSocket(this);
    connect(m_socket, &QTcpSocket::connected, this, &HttpClient::onConnected);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpClient::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpClient::onDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError code) {
        if (code == QAbstractSocket::RemoteHostClosedError)
            return onDisconnected();
        fail(m_socket->errorString().toLower() + QStringLiteral(" (") + m_endpoint + QLatin1Char(')'));
    });
    m_timer.start(request.timeoutMs);
    m_socket->connectToHost(url->host, url->port);
}

void HttpClient::onConnected() {
    m_socket->write(m_requestBytes);
    m_socket->flush();
    m_requestBytes.clear();
}

void HttpClient::onReadyRead() {
    if (!m_socket)
        return;
    const HttpResponseParser::State state = m_parser.feed(m_socket->readAll());
    if (state == HttpResponseParser::State::Error)
        fail(m_parser.error() + QStringLiteral(" (") + m_endpoint + QLatin1Char(')'));
    else if (state == HttpResponseParser::State::Done)
        complete({true, m_parser.status(), m_parser.headers(), m_parser.body(), {}});
}

void HttpClient::onDisconnected() {
    if (!m_socket || !m_busy)
        return;
    if (m_socket->bytesAvailable() > 0) {
        onReadyRead();
        if (!m_busy)
            return;
    }
    const HttpResponseParser::State state = m_parser.finish();
    if (state == HttpResponseParser::State::Done)
        complete({true, m_parser.status(), m_parser.headers(), m_parser.body(), {}});
    else
        fail(m_parser.error() + QStringLiteral(" (") + m_endpoint + QLatin1Char(')'));
}

void HttpClient::fail(const QString& error) {
    if (!m_busy)
        return;
    HttpClientResponse response;
    response.error = error;
    complete(response);
}

void HttpClient::complete(HttpClientResponse response) {
    if (!m_busy)
        return;
    m_busy = false;
    m_timer.stop();
    dropSocket();
    emit finished(response);
}

void HttpClient::fetch(const HttpClientRequest& request, QObject* context,
                       std::function<void(const HttpClientResponse&)> done) {
    auto* client = new HttpClient(context);
    connect(client, &HttpClient::finished, context,
            [client, done = std::move(done)](const HttpClientResponse& response) {
                client->deleteLater();
                done(response);
            });
    client->start(request);
}

} // namespace swarmscope
