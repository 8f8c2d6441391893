#pragma once

#include "tracker/HttpRequest.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace swarmscope {

struct HttpResponseLimits {
    qsizetype maxHeaderBytes = 16 * 1024;
    int maxHeaderCount = 100;
    qsizetype maxBodyBytes = 1024 * 1024;
};

// An incremental HTTP/1.x response reader for the tracker client: feed it bytes as they arrive, in any
// split, and tell it when the connection ends. Handles Content-Length, chunked transfer coding and bodies
// delimited by the connection closing; interim 1xx responses are skipped. No I/O, so a fuzzer can drive it.
class HttpResponseParser {
public:
    enum class State { Incomplete, Done, Error };

    explicit HttpResponseParser(const HttpResponseLimits& limits = {});

    State feed(const QByteArray& data);
    // The connection closed: completes a body delimited by the close, and is an error anywhere else.
    State finish();

    State state() const { return m_state; }
    int status() const { return m_status; }
    const QList<HttpHeader>& headers() const { return m_headers; }
    const QByteArray& body() const { return m_body; }
    QString error() const { return m_error; }

private:
    enum class Phase { StatusLine, Headers, FixedBody, ChunkSize, ChunkData, ChunkEnd, Trailers, UntilClose };

    bool takeLine(QByteArray& line);
    void fail(const char* why);
    bool parseStatusLine(const QByteArray& line);
    bool endOfHeaders();
    void appendBody(const char* data, qsizetype size);
    void step();

    HttpResponseLimits m_limits;
    State m_state = State::Incomplete;
    Phase m_phase = Phase::StatusLine;
    QByteArray m_pending; // bytes not yet consumed, from m_pos on
    qsizetype m_pos = 0;
    qsizetype m_headerBytes = 0;
    int m_status = 0;
    QList<HttpHeader> m_headers;
    QByteArray m_body;
    qint64 m_remaining = 0; // of the fixed body or the current chunk
    QString m_error;
};

} // namespace swarmscope
