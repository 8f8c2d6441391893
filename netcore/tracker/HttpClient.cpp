#include "tracker/HttpClient.h"

#include "tracker/HttpUrl.h"

#include "transport/Network.h"
#include "transport/TcpNode.h"

namespace swarmscope {

HttpClient::HttpClient(Network& network, QObject* parent)
    : QObject(parent), m_network(network),
      m_timer(network.scheduler(), [this] { fail(QStringLiteral("timed out (%1)").arg(m_endpoint)); }) {}

HttpClient::HttpClient(QObject* parent)
    : QObject(parent), m_ownNetwork(std::make_unique<TcpNode>()), m_network(m_ownNetwork->network()),
      m_timer(m_network.scheduler(), [this] { fail(QStringLiteral("timed out (%1)").arg(m_endpoint)); }) {}

HttpClient::~HttpClient() {
    // Streams (the current one and any still waiting for their deferred delete) read the network's link: they
    // go now, before a network this client owns.
    if (m_socket)
        m_socket->disconnect(this);
    m_socket = nullptr;
    qDeleteAll(findChildren<ByteStream*>(Qt::FindDirectChildrenOnly));
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
        m_network.scheduler().post(this, [this, generation, error, text = request.url] {
            if (generation == m_generation)
                fail(error + QStringLiteral(" (") + text + QLatin1Char(')'));
        });
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

    m_received = 0;
    m_socket = m_network.connectToHost(url->host, url->port, this);
    connect(m_socket, &ByteStream::connected, this, &HttpClient::onConnected);
    connect(m_socket, &ByteStream::readyRead, this, &HttpClient::onReadyRead);
    connect(m_socket, &ByteStream::closed, this, &HttpClient::onDisconnected);
    m_timer.startMs(request.timeoutMs);
    // Sent as soon as the connection is up; then our direction ends, and the answer ends with the server's.
    m_socket->write(m_requestBytes);
    m_requestBytes.clear();
}

void HttpClient::onConnected() {}

void HttpClient::onReadyRead() {
    if (!m_socket)
        return;
    const QByteArray data = m_socket->readAll();
    m_received += data.size();
    const HttpResponseParser::State state = m_parser.feed(data);
    if (state == HttpResponseParser::State::Error)
        fail(m_parser.error() + QStringLiteral(" (") + m_endpoint + QLatin1Char(')'));
    else if (state == HttpResponseParser::State::Done)
        complete({true, m_parser.status(), m_parser.headers(), m_parser.body(), {}});
}

void HttpClient::onDisconnected() {
    if (!m_socket || !m_busy)
        return;
    if (!m_socket->errorString().isEmpty() && m_received == 0 && m_socket->bytesAvailable() == 0) {
        fail(m_socket->errorString().toLower() + QStringLiteral(" (") + m_endpoint + QLatin1Char(')'));
        return;
    }
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
    start(new HttpClient(context), request, context, std::move(done));
}

void HttpClient::fetch(Network& network, const HttpClientRequest& request, QObject* context,
                       std::function<void(const HttpClientResponse&)> done) {
    start(new HttpClient(network, context), request, context, std::move(done));
}

void HttpClient::start(HttpClient* client, const HttpClientRequest& request, QObject* context,
                       std::function<void(const HttpClientResponse&)> done) {
    connect(client, &HttpClient::finished, context,
            [client, done = std::move(done)](const HttpClientResponse& response) {
                client->deleteLater();
                done(response);
            });
    client->start(request);
}

} // namespace swarmscope
