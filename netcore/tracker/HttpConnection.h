#pragma once

#include "clock/Timer.h"
#include "tracker/HttpRequestParser.h"
#include "tracker/HttpResponse.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>

#include <functional>

namespace swarmscope {

class ByteStream;

// Shared by every connection of one server: how many of them may hold a large request body at once, so
// that a thousand slow uploads cannot each pin megabytes.
struct HttpBufferBudget {
    int maxLargeBuffers = 8;
    int largeBuffersInUse = 0;
};

struct HttpConnectionSettings {
    HttpRequestLimits limits;
    int requestTimeoutMs = 10'000; // a request must arrive in full within this of the previous response
    int lingerMs = 2'000;          // after the last answer, how long to drain a client that keeps sending
    int maxRequestsPerConnection = 100;
    qsizetype largeBufferBytes = 64 * 1024;
    qsizetype maxPendingWriteBytes = 16 * 1024 * 1024; // stop reading pipelined requests above this
};

// One accepted connection of the tracker's HTTP server: buffers bytes, parses requests one after another
// (keep-alive and pipelining), hands each to a handler and writes the answer. It owns the stream and
// deletes itself after the stream closes.
class HttpConnection : public QObject {
    Q_OBJECT
public:
    using Handler = std::function<HttpResponse(const HttpRequest& request, const QHostAddress& peer)>;
    // Builds the answer to a request that could not be parsed (the server picks bencode or JSON by path).
    using ErrorHandler = std::function<HttpResponse(const HttpRequestParseResult& failure)>;

    HttpConnection(ByteStream* stream, Scheduler& scheduler, const HttpConnectionSettings& settings,
                   HttpBufferBudget* budget, Handler handler, ErrorHandler errorHandler,
                   QObject* parent = nullptr);
    ~HttpConnection() override;

    // Answers a connection the server will not serve (over its connection cap) and lets it go; takes the
    // stream.
    static void refuse(ByteStream* stream, Scheduler& scheduler, const HttpResponse& response, int lingerMs);

    QHostAddress peerAddress() const { return m_peer; }
    int requestsServed() const { return m_served; }

signals:
    void closed(swarmscope::HttpConnection* connection);

private:
    void onReadyRead();
    void processBuffer();
    void onTimeout();
    void send(const HttpResponse& response, bool keepAlive);
    void onBytesSent();
    void startLingering();
    void armLinger();
    void updateBudget();
    void finish();

    ByteStream* m_stream;
    HttpConnectionSettings m_settings;
    HttpBufferBudget* m_budget;
    Handler m_handler;
    ErrorHandler m_errorHandler;
    QHostAddress m_peer;
    QByteArray m_buffer;
    qsizetype m_bytesNeeded = 0;
    Timer m_timer;
    int m_served = 0;
    bool m_holdsLargeBuffer = false;
    bool m_closing = false;   // the last answer is written or on its way; input is discarded
    bool m_lingering = false; // our side is shut down; waiting for the client to close
    bool m_lingerArmed = false;
    bool m_finished = false;
};

} // namespace swarmscope
