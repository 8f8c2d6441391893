#pragma once

#include "tracker/HttpRequest.h"

#include <QByteArray>
#include <QString>

namespace swarmscope {

struct HttpRequestLimits {
    qsizetype maxRequestLineBytes = 8 * 1024;
    qsizetype maxHeaderBytes = 16 * 1024; // request line, headers and the blank line together
    int maxHeaderCount = 64;
    qsizetype maxBodyBytes = 8 * 1024 * 1024;
    int maxQueryItems = 512;
};

enum class HttpParseStatus { Incomplete, Complete, Error };

struct HttpRequestParseResult {
    HttpParseStatus status = HttpParseStatus::Incomplete;
    HttpRequest request;       // when Complete
    qsizetype consumed = 0;    // when Complete: bytes of input this request used (pipelined data may follow)
    qsizetype bytesNeeded = 0; // when Incomplete after the headers: total bytes the request needs
    int httpStatus = 0;        // when Error: 400, 413, 414, 431, 501 or 505
    QString error;             // when Error: one short reason, e.g. "too many headers"
    QByteArray path;           // the decoded path once the request line was readable, also on error

    bool ok() const { return status == HttpParseStatus::Complete; }
};

// Parses the first HTTP/1.0 or 1.1 request at the start of data. A pure function over bytes: the same input
// always gives the same answer, which is what a connection needs (call again when more bytes arrive) and
// what a fuzzer needs. Every size is bounded by limits, so a hostile peer cannot make it buffer or scan
// without end. Bodies need Content-Length; Transfer-Encoding is refused.
HttpRequestParseResult parseHttpRequest(const QByteArray& data, const HttpRequestLimits& limits = {});

} // namespace swarmscope
