#include "tracker/HttpRequestParser.h"

namespace swarmscope {

namespace {

bool isTokenChar(char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(const QByteArray& s) {
    if (s.isEmpty())
        return false;
    for (const char c : s)
        if (!isTokenChar(c))
            return false;
    return true;
}

bool isDigits(const QByteArray& s) {
    if (s.isEmpty())
        return false;
    for (const char c : s)
        if (c < '0' || c > '9')
            return false;
    return true;
}

HttpRequestParseResult failure(int status, const char* reason, const QByteArray& path = {}) {
    HttpRequestParseResult result;
    result.status = HttpParseStatus::Error;
    result.httpStatus = status;
    result.error = QString::fromLatin1(reason);
    result.path = path;
    return result;
}

QByteArray trimWhitespace(const QByteArray& s) {
    qsizetype begin = 0;
    qsizetype end = s.size();
    while (begin < end && (s.at(begin) == ' ' || s.at(begin) == '\t'))
        ++begin;
    while (end > begin && (s.at(end - 1) == ' ' || s.at(end - 1) == '\t'))
        --end;
    return s.mid(begin, end - begin);
}

// Fills method, target, path, query and version from the request line; returns a failure otherwise.
std::optional<HttpRequestParseResult>
parseRequestLine(const QByteArray& line, const HttpRequestLimits& limits, HttpRequest& request) {
    const QList<QByteArray> parts = line.split(' ');
    if (parts.size() != 3)
        return failure(400, "malformed request line");
    request.method = parts.at(0);
    request.target = parts.at(1);
    const QByteArray& version = parts.at(2);
    if (!isToken(request.method) || request.method.size() > 16)
        return failure(400, "invalid method");
    if (request.target.isEmpty() || request.target.at(0) != '/')
        return failure(400, "invalid request target");
    for (const char c : request.target)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F || c == '#')
            return failure(400, "invalid request target");

    const qsizetype question = request.target.indexOf('?');
    const QByteArray rawPath = question < 0 ? request.target : request.target.left(question);
    request.rawQuery = question < 0 ? QByteArray() : request.target.mid(question + 1);
    const auto path = percentDecode(rawPath);
    if (!path)
        return failure(400, "invalid percent-encoding in path", rawPath);
    request.path = *path;

    if (version == "HTTP/1.1") {
        request.versionMinor = 1;
    } else if (version == "HTTP/1.0") {
        request.versionMinor = 0;
    } else if (version.size() == 8 && version.startsWith("HTTP/") && version.at(6) == '.' &&
               isDigits(version.mid(5, 1)) && isDigits(version.mid(7, 1))) {
        return failure(505, "unsupported HTTP version", request.path);
    } else {
        return failure(400, "invalid HTTP version", request.path);
    }

    const auto query = parseQueryString(request.rawQuery);
    if (!query)
        return failure(400, "invalid percent-encoding in query", request.path);
    if (query->size() > limits.maxQueryItems)
        return failure(400, "too many query parameters", request.path);
    request.query = *query;
    return std::nullopt;
}

} // namespace

HttpRequestParseResult parseHttpRequest(const QByteArray& data, const HttpRequestLimits& limits) {
    HttpRequestParseResult result;
    HttpRequest& request = result.request;

    // A client may send stray empty lines between pipelined requests; RFC 9112 asks servers to skip them.
    qsizetype pos = 0;
    while (pos < data.size() && pos < limits.maxHeaderBytes && (data.at(pos) == '\r' || data.at(pos) == '\n'))
        ++pos;
    const qsizetype start = pos;

    bool haveRequestLine = false;
    bool headersDone = false;
    while (!headersDone) {
        const qsizetype newline = data.indexOf('\n', pos);
        const qsizetype lineEnd = newline < 0 ? data.size() : newline;
        if (!haveRequestLine && lineEnd - start > limits.maxRequestLineBytes)
            return failure(414, "request line too long");
        if (lineEnd + (newline < 0 ? 0 : 1) - start > limits.maxHeaderBytes)
            return failure(431, "request headers too large", request.path);
        if (newline < 0)
            return result; // Incomplete: the line has not ended yet

        QByteArray line = data.mid(pos, newline - pos);
        if (line.endsWith('\r'))
            line.chop(1);
        pos = newline + 1;

        if (!haveRequestLine) {
            if (auto error = parseRequestLine(line, limits, request))
                return *error;
            result.path = request.path;
            haveRequestLine = true;
            continue;
        }
        if (line.isEmpty()) {
            headersDone = true;
            break;
        }
        if (line.at(0) == ' ' || line.at(0) == '\t')
            return failure(400, "obsolete header line folding", request.path);
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            return failure(400, "header line without a colon", request.path);
        const QByteArray name = line.left(colon);
        if (!isToken(name))
            return failure(400, "invalid header name", request.path);
        const QByteArray value = trimWhitespace(line.mid(colon + 1));
        for (const char c : value)
            if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F)
                return failure(400, "invalid header value", request.path);
        if (request.headers.size() >= limits.maxHeaderCount)
            return failure(431, "too many headers", request.path);
        request.headers.append({name.toLower(), value});
    }

    if (request.header("transfer-encoding"))
        return failure(501, "Transfer-Encoding is not supported", request.path);
    qint64 contentLength = 0;
    bool haveLength = false;
    for (const HttpHeader& h : std::as_const(request.headers)) {
        if (h.name != "content-length")
            continue;
        if (!isDigits(h.value) || h.value.size() > 18)
            return failure(400, "invalid Content-Length", request.path);
        const qint64 length = h.value.toLongLong();
        if (haveLength && length != contentLength)
            return failure(400, "conflicting Content-Length headers", request.path);
        contentLength = length;
        haveLength = true;
    }
    if (contentLength > limits.maxBodyBytes)
        return failure(413, "request body too large", request.path);

    const qsizetype needed = pos + qsizetype(contentLength);
    if (data.size() < needed) {
        result.bytesNeeded = needed;
        return result;
    }
    request.body = data.mid(pos, qsizetype(contentLength));
    result.status = HttpParseStatus::Complete;
    result.consumed = needed;
    return result;
}

} // namespace swarmscope
