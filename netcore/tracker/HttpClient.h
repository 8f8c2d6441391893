#pragma once

#include "tracker/HttpRequest.h"
#include "tracker/HttpResponseParser.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <functional>

class QTcpSocket;

namespace swarmscope {

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

// A minimal HTTP/1.1 client over one QTcpSocket: one request at a time, "Connection: close", a bounded
// response and a deadline. Light enough that a lab can run hundreds, which QNetworkAccessManager is not.
class HttpClient : public QObject {
    Q_OBJECT
public:
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
    static void fetch(const HttpClientRequest& request, QObject* context,
                      std::function<void(const HttpClientResponse&)> done);

signals:
    void finished(const swarmscope::HttpClientResponse& response);

private:
    void onConnected();
    void onReadyRead();
    void onDisconnected();
    void complete(HttpClientResponse response);
    void fail(const QString& error);
    void dropSocket();

    QTcpSocket* m_socket = nullptr;
    HttpResponseParser m_parser;
    QByteArray m_requestBytes;
    QString m_endpoint; // "host:port" for error messages
    QTimer m_timer;
    bool m_busy = false;
    quint64 m_generation = 0; // tells a stale queued failure from the current request's
};

} // namespace swarmscope
