#include "tracker/HttpResponseParser.h"

namespace swarmscope {

HttpResponseParser::HttpResponseParser(const HttpResponseLimits& limits) : m_limits(limits) {}

void HttpResponseParser::fail(const char* why) {
    m_state = State::Error;
    m_error = QString::fromLatin1(why);
    m_pending.clear();
    m_pos = 0;
}

// Takes one line (without its CR LF or bare LF) from the pending bytes; false when none is complete yet.
// Lines count against the header limit, which also bounds chunk-size and trailer lines.
bool HttpResponseParser::takeLine(QByteArray& line) {
    const qsizetype newline = m_pending.indexOf('\n', m_pos);
    if (newline < 0) {
        if (m_headerBytes + (m_pending.size() - m_pos) > m_limits.maxHeaderBytes)
            fail("response headers too large");
        return false;
    }
    m_headerBytes += newline + 1 - m_pos;
    if (m_headerBytes > m_limits.maxHeaderBytes) {
        fail("response headers too large");
        return false;
    }
    line = m_pending.mid(m_pos, newline - m_pos);
    if (line.endsWith('\r'))
        line.chop(1);
    m_pos = newline + 1;
    return true;
}

bool HttpResponseParser::parseStatusLine(const QByteArray& line) {
    // "HTTP/1.1 200 OK"; the reason phrase may be empty or absent.
    if (line.size() < 12 || !line.startsWith("HTTP/1.") || line.at(8) != ' ')
        return false;
    if (line.at(7) != '0' && line.at(7) != '1')
        return false;
    int status = 0;
    for (int i = 9; i < 12; ++i) {
        const char c = line.at(i);
        if (c < '0' || c > '9')
            return false;
        status = status * 10 + (c - '0');
    }
    if (status < 100 || (line.size() > 12 && line.at(12) != ' '))
        return false;
    m_status = status;
    return true;
}

bool HttpResponseParser::endOfHeaders() {
    if (m_status < 200) { // an interim response: the real one follows
        m_headers.clear();
        m_phase = Phase::StatusLine;
        return true;
    }
    QByteArray transferEncoding;
    QByteArray contentLength;
    bool haveLength = false;
    for (const HttpHeader& h : std::as_const(m_headers)) {
        if (h.name == "transfer-encoding") {
            transferEncoding = h.value.toLower();
        } else if (h.name == "content-length") {
            if (haveLength && h.value != contentLength) {
                fail("conflicting Content-Length headers");
                return false;
            }
            contentLength = h.value;
            haveLength = true;
        }
    }
    if (m_status == 204 || m_status == 304) {
        m_state = State::Done;
        return true;
    }
    if (!transferEncoding.isEmpty()) {
        const QList<QByteArray> codings = transferEncoding.split(',');
        if (codings.last().trimmed() != "chunked" || codings.size() != 1) {
            fail("unsupported Transfer-Encoding");
            return false;
        }
        m_phase = Phase::ChunkSize;
        m_headerBytes = 0;
        return true;
    }
    if (haveLength) {
        bool ok = contentLength.size() <= 18 && !contentLength.isEmpty();
        for (const char c : contentLength)
            ok = ok && c >= '0' && c <= '9';
        if (!ok) {
            fail("invalid Content-Length");
            return false;
        }
        m_remaining = contentLength.toLongLong();
        if (m_remaining > m_limits.maxBodyBytes) {
            fail("response body too large");
            return false;
        }
        m_body.reserve(qsizetype(m_remaining));
        m_phase = Phase::FixedBody;
        if (m_remaining == 0)
            m_state = State::Done;
        return true;
    }
    m_phase = Phase::UntilClose;
    return true;
}

void HttpResponseParser::appendBody(const char* data, qsizetype size) {
    if (m_body.size() + size > m_limits.maxBodyBytes) {
        fail("response body too large");
        return;
    }
    m_body.append(data, size);
}

void HttpResponseParser::step() {
    QByteArray line;
    while (m_state == State::Incomplete) {
        const qsizetype available = m_pending.size() - m_pos;
        switch (m_phase) {
        case Phase::StatusLine:
            if (!takeLine(line))
                return;
            if (!parseStatusLine(line))
                return fail("malformed status line");
            m_phase = Phase::Headers;
            break;
        case Phase::Headers: {
            if (!takeLine(line))
                return;
            if (line.isEmpty()) {
                if (!endOfHeaders())
                    return;
                break;
            }
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0 || line.at(0) == ' ' || line.at(0) == '\t')
                return fail("malformed header line");
            if (m_headers.size() >= m_limits.maxHeaderCount)
                return fail("too many response headers");
            m_headers.append({line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
            break;
        }
        case Phase::FixedBody: {
            const qsizetype take = qsizetype(qMin<qint64>(m_remaining, available));
            if (take == 0)
                return;
            appendBody(m_pending.constData() + m_pos, take);
            m_pos += take;
            m_remaining -= take;
            if (m_remaining == 0 && m_state == State::Incomplete)
                m_state = State::Done;
            break;
        }
        case Phase::ChunkSize: {
            if (!takeLine(line))
                return;
            m_headerBytes = 0; // each chunk line is bounded on its own; the body limit bounds their number
            const qsizetype semicolon = line.indexOf(';');
            const QByteArray hex = (semicolon < 0 ? line : line.left(semicolon)).trimmed();
            bool ok = !hex.isEmpty() && hex.size() <= 15;
            const qint64 size = ok ? hex.toLongLong(&ok, 16) : 0;
            if (!ok || size < 0 || hex.startsWith('+') || hex.startsWith('-'))
                return fail("malformed chunk size");
            if (m_body.size() + size > m_limits.maxBodyBytes)
                return fail("response body too large");
            m_remaining = size;
            m_phase = size == 0 ? Phase::Trailers : Phase::ChunkData;
            break;
        }
        case Phase::ChunkData: {
            const qsizetype take = qsizetype(qMin<qint64>(m_remaining, available));
            if (take == 0)
                return;
            appendBody(m_pending.constData() + m_pos, take);
            m_pos += take;
            m_remaining -= take;
            if (m_remaining == 0)
                m_phase = Phase::ChunkEnd;
            break;
        }
        case Phase::ChunkEnd:
            if (!takeLine(line))
                return;
            m_headerBytes = 0;
            if (!line.isEmpty())
                return fail("malformed chunk: data longer than its size");
            m_phase = Phase::ChunkSize;
            break;
        case Phase::Trailers:
            if (!takeLine(line))
                return;
            if (line.isEmpty())
                m_state = State::Done;
            break;
        case Phase::UntilClose:
            if (available == 0)
                return;
            appendBody(m_pending.constData() + m_pos, available);
            m_pos += available;
            break;
        }
    }
}

HttpResponseParser::State HttpResponseParser::feed(const QByteArray& data) {
    if (m_state != State::Incomplete)
        return m_state; // bytes after a complete response are not ours to read
    m_pending.append(data);
    step();
    // Drop consumed bytes so the buffer never holds more than one unfinished line or body slice.
    if (m_pos > 0) {
        m_pending.remove(0, m_pos);
        m_pos = 0;
    }
    return m_state;
}

HttpResponseParser::State HttpResponseParser::finish() {
    if (m_state != State::Incomplete)
        return m_state;
    if (m_phase == Phase::UntilClose)
        m_state = State::Done;
    else if (m_phase == Phase::StatusLine || m_phase == Phase::Headers)
        fail("connection closed before the response headers ended");
    else
        fail("connection closed before the response body ended");
    return m_state;
}

} // namespace swarmscope
