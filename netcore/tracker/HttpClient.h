#pragma once

#include "tracker/HttpRequest.h"
#include "tracker/HttpResponseParser.h"

#include "clock/Timer.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>

namespace swarmscope {

class ByteStream;
class Network;
class TcpNode;

struct HttpClientRequest {
    QByteArray method = "GET";
    QString url; // http://host[:port]/path?query
    QByteArray body;
    QByteArray contentType;
    int timeoutMs = 15'000; // for the whole exchange: connect, send, receive
    qsizetype maxResponseBytes = 1024 * 1024;
};

struct HttpClientResponse {
    bool ok = false; // a complete HTTP response arrived, whatever its status
    int status = 0;
    QList<HttpHeader> headers;
    QByteArray body;
    QString error; // when !ok: what went wrong, e.g. "connection refused (127.0.0.1:6969)"
};

// A minimal HTTP/1.1 client over one connection of a Network: one request at a time, "Connection: close",
// a bounded response and a deadline. Light enough that a lab can run hundreds, which QNetworkAccessManager is
// not, and it runs on the simulated network as well as on TCP.
class HttpClient : public QObject {
    Q_OBJECT
public:
    // network: not owned, must outlive the client.
    explicit HttpClient(Network& network, QObject* parent = nullptr);
    // On the host's TCP in real time, through a network of its own.
    explicit HttpClient(QObject* parent = nullptr);
    ~HttpClient() override;

    // Starts a request, cancelling any in flight (which then reports nothing). finished() follows exactly
    // once, never from inside start().
    void start(const HttpClientRequest& request);
    // Cancels the request in flight; finished() is not emitted for it.
    void abort();
    bool isBusy() const { return m_busy; }

    // Runs one request on a self-deleting client and calls done with context's thread and lifetime:
    // if context is destroyed first, done is never called.
    static void fetch(Network& network, const HttpClientRequest& request, QObject* context,
                      std::function<void(const HttpClientResponse&)> done);
    // The same on the host's TCP in real time.
    static void fetch(const HttpClientRequest& request, QObject* context,
                      std::function<void(const HttpClientResponse&)> done);

signals:
    void finished(const swarmscope::HttpClientResponse& response);

private:
    static void start(HttpClient* client, const HttpClientRequest& request, QObject* context,
                      std::function<void(const HttpClientResponse&)> done);
    void onConnected();
    void onReadyRead();
    void onDisconnected();
    void complete(HttpClientResponse response);
    void fail(const QString& error);
    void dropSocket();

    std::unique_ptr<TcpNode> m_ownNetwork;
    Network& m_network;
    ByteStream* m_socket = nullptr;
    HttpResponseParser m_parser;
    QByteArray m_requestBytes;
    QString m_endpoint; // "host:port" for error messages
    Timer m_timer;
    qint64 m_received = 0;
    bool m_busy = false;
    quint64 m_generation = 0; // tells a stale queued failure from the current request's
};

} // namespace swarmscope
