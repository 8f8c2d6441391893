#include "peer/EncryptedStream.h"

#include "transport/Network.h"

namespace swarmscope {

namespace {
const QByteArray kPlaintextPrefix = QByteArrayLiteral("\x13"
                                                      "BitTorrent protocol");
} // namespace

EncryptedStream::EncryptedStream(Network& network, const Options& options, bool outgoing)
    : m_network(network), m_options(options), m_outgoing(outgoing), m_timer(network.scheduler()) {
    if (options.seed != 0) {
        const quint32 words[2] = {quint32(options.seed), quint32(options.seed >> 32)};
        m_random = QRandomGenerator(words, words + 2);
    } else {
        m_random = QRandomGenerator::securelySeeded();
    }
}

EncryptedStream::~EncryptedStream() = default;

EncryptedStream* EncryptedStream::connectTo(Network& network, const QHostAddress& address, quint16 port,
                                            const Options& options) {
    auto* stream = new EncryptedStream(network, options, true);
    stream->m_address = address;
    stream->m_port = port;
    stream->attach(network.connectTo(address, port));
    const QString cryptoError = mse::cryptoError();
    if (options.policy == mse::Policy::Plaintext ||
        (!cryptoError.isEmpty() && options.policy == mse::Policy::Prefer)) {
        stream->m_mode = Mode::Streaming;
    } else if (!cryptoError.isEmpty()) {
        network.scheduler().post(stream, [stream, cryptoError] { stream->fail(cryptoError); });
    } else {
        stream->startHandshake();
    }
    return stream;
}

EncryptedStream* EncryptedStream::accept(Network& network, ByteStream* inner, const Options& options) {
    auto* stream = new EncryptedStream(network, options, false);
    stream->m_address = inner->peerAddress();
    stream->m_port = inner->peerPort();
    stream->attach(inner);
    // Bytes may be waiting already.
    if (inner->bytesAvailable() > 0)
        network.scheduler().post(stream, [stream] { stream->onInnerReadyRead(); });
    return stream;
}

void EncryptedStream::attach(ByteStream* inner) {
    m_inner = inner;
    inner->setParent(this);
    if (m_readLimit > 0)
        inner->setReadBufferLimit(m_readLimit);
    connect(inner, &ByteStream::readyRead, this, &EncryptedStream::onInnerReadyRead);
    connect(inner, &ByteStream::closed, this, &EncryptedStream::onInnerClosed);
    connect(inner, &ByteStream::bytesSent, this, &EncryptedStream::onInnerBytesSent);
    connect(inner, &ByteStream::connected, this, [this] {
        if (!m_connectedEmitted) {
            m_connectedEmitted = true;
            emit connected();
        }
    });
}

QByteArray EncryptedStream::randomBytes(int size) {
    QByteArray bytes(size, '\0');
    for (char& c : bytes)
        c = char(m_random.generate());
    return bytes;
}

void EncryptedStream::startHandshake() {
    m_mode = Mode::Handshaking;
    mse::Handshake::Options o;
    o.role = m_outgoing ? mse::Handshake::Role::Initiator : mse::Handshake::Role::Responder;
    o.policy = m_options.policy;
    o.random = [this](int size) { return randomBytes(size); };
    o.infoHash = m_options.infoHash;
    o.initialPayload = [this] { return takeInitialPayload(); };
    o.infoHashes = m_options.infoHashes;
    m_handshake = std::make_unique<mse::Handshake>(std::move(o));
    if (m_handshake->hasFailed()) {
        const QString error = m_handshake->errorString();
        m_network.scheduler().post(this, [this, error] { fail(error); });
        return;
    }
    writeInner(m_handshake->takeOutput(), false);
    if (m_outgoing) {
        m_timer.setCallback([this] {
            if (m_mode == Mode::Handshaking)
                handshakeFailed(
                    QStringLiteral("MSE handshake timed out after %1 s").arg(m_options.timeoutMs / 1000.0),
                    true);
        });
        m_timer.startMs(m_options.timeoutMs);
    }
}

QByteArray EncryptedStream::takeInitialPayload() {
    QByteArray ia;
    while (!m_pending.empty() && ia.size() + m_pending.front().data.size() <= 0xffff) {
        ia += m_pending.front().data;
        m_pendingBytes -= m_pending.front().data.size();
        m_pending.pop_front();
    }
    m_iaPending = ia.size();
    m_initialPayload = ia;
    return ia;
}

void EncryptedStream::writeInner(QByteArray data, bool ours) {
    if (data.isEmpty() || !m_inner)
        return;
    const qint64 size = data.size();
    if (!ours || !m_runs.empty()) {
        if (!m_runs.empty() && m_runs.back().second == ours)
            m_runs.back().first += size;
        else
            m_runs.emplace_back(size, ours);
    }
    m_inner->write(std::move(data));
}

void EncryptedStream::onInnerBytesSent(qint64 bytes) {
    qint64 ours = 0;
    while (bytes > 0 && !m_runs.empty()) {
        auto& [length, payload] = m_runs.front();
        const qint64 take = qMin(bytes, length);
        if (payload)
            ours += take;
        length -= take;
        bytes -= take;
        if (length == 0)
            m_runs.pop_front();
    }
    ours += bytes; // past the last run everything is ours
    if (ours > 0)
        emit bytesSent(ours);
}

void EncryptedStream::onInnerReadyRead() {
    switch (m_mode) {
    case Mode::Detecting:
        m_detectBuffer += m_inner->readAll();
        detect();
        return;
    case Mode::Handshaking:
        runHandshake(m_inner->readAll());
        return;
    case Mode::Streaming:
        emit readyRead();
        return;
    case Mode::Failed:
        m_inner->readAll();
        return;
    }
}

void EncryptedStream::detect() {
    const qsizetype n = qMin(m_detectBuffer.size(), kPlaintextPrefix.size());
    if (n == 0)
        return;
    if (m_detectBuffer.first(n) != kPlaintextPrefix.first(n)) {
        if (m_options.policy == mse::Policy::Plaintext) {
            fail(QStringLiteral("encrypted (MSE) connection refused: encryption is off"));
            return;
        }
        const QByteArray data = std::exchange(m_detectBuffer, {});
        startHandshake();
        if (m_mode == Mode::Handshaking)
            runHandshake(data);
        return;
    }
    if (n < kPlaintextPrefix.size())
        return;
    if (m_options.policy == mse::Policy::Require) {
        fail(QStringLiteral("plaintext connection refused: encryption is required"));
        return;
    }
    m_mode = Mode::Streaming;
    m_readBuffer = std::exchange(m_detectBuffer, {});
    m_idOffset = m_lastId;
    flushPending();
    emit readyRead();
}

void EncryptedStream::runHandshake(QByteArrayView data) {
    m_iaPending = 0;
    m_handshake->feed(data);
    const QByteArray out = m_handshake->takeOutput();
    if (m_iaPending > 0 && out.size() >= m_iaPending) {
        // Message 3 ends with the initial payload: our bytes, counted as they cross.
        writeInner(out.first(out.size() - m_iaPending), false);
        writeInner(out.last(m_iaPending), true);
    } else {
        writeInner(out, false);
    }
    if (m_handshake->hasFailed()) {
        handshakeFailed(m_handshake->errorString(), false);
        return;
    }
    if (m_handshake->isDone())
        finishHandshake();
}

void EncryptedStream::finishHandshake() {
    m_timer.stop();
    m_encrypt = m_handshake->takeEncryptor();
    m_decrypt = m_handshake->takeDecryptor();
    m_encryption = m_encrypt ? StreamEncryption::Rc4 : StreamEncryption::MsePlaintext;
    m_readBuffer += m_handshake->takeInitialPayload();
    QByteArray rest = m_handshake->takeRemainder();
    if (m_decrypt)
        m_decrypt->apply(rest);
    m_readBuffer += rest;
    m_handshake.reset();
    m_initialPayload.clear();
    m_mode = Mode::Streaming;
    m_idOffset = m_lastId;
    flushPending();
    if (m_closeRequested)
        m_inner->close();
    if (!m_readBuffer.isEmpty() || m_inner->bytesAvailable() > 0)
        emit readyRead();
}

void EncryptedStream::flushPending() {
    while (!m_pending.empty()) {
        QByteArray data = std::move(m_pending.front().data);
        m_pending.pop_front();
        if (m_encrypt)
            m_encrypt->apply(data);
        writeInner(std::move(data), true);
    }
    m_pendingBytes = 0;
}

void EncryptedStream::handshakeFailed(const QString& reason, bool retryable) {
    if (!(retryable && m_outgoing && m_options.policy == mse::Policy::Prefer && !m_fellBack)) {
        fail(reason);
        return;
    }
    // As real clients do: once more, in plaintext, with the same bytes.
    m_fellBack = true;
    m_fallbackReason = reason;
    m_timer.stop();
    m_handshake.reset();
    // The initial payload went out inside message 3 and may have been reported across in part: the retry
    // sends it again, and reports only what was not reported yet.
    qint64 unreported = 0;
    for (const auto& [length, ours] : m_runs)
        if (ours)
            unreported += length;
    m_runs.clear();
    ByteStream* old = m_inner;
    old->disconnect(this);
    old->abort();
    old->deleteLater();
    m_inner = nullptr;
    attach(m_network.connectTo(m_address, m_port));
    m_mode = Mode::Streaming;
    m_encryption = StreamEncryption::Plaintext;
    m_idOffset = m_lastId;
    const QByteArray ia = std::exchange(m_initialPayload, {});
    unreported = qMin<qint64>(unreported, ia.size());
    writeInner(ia.first(ia.size() - unreported), false);
    writeInner(ia.last(unreported), true);
    flushPending();
    if (m_closeRequested)
        m_inner->close();
}

void EncryptedStream::fail(const QString& reason) {
    if (m_mode == Mode::Failed)
        return;
    m_mode = Mode::Failed;
    m_error = reason;
    m_timer.stop();
    m_pending.clear();
    m_pendingBytes = 0;
    m_inner->abort();
    emit closed();
}

void EncryptedStream::onInnerClosed() {
    switch (m_mode) {
    case Mode::Streaming:
        emit closed();
        return;
    case Mode::Detecting: {
        const QString error = m_inner->errorString();
        fail(error.isEmpty() ? QStringLiteral("closed by the peer before its handshake") : error);
        return;
    }
    case Mode::Handshaking: {
        const QString error = m_inner->errorString();
        handshakeFailed(error.isEmpty()
                            ? QStringLiteral("the peer closed the connection during the MSE handshake")
                            : QStringLiteral("MSE handshake: %1").arg(error),
                        true);
        return;
    }
    case Mode::Failed:
        return;
    }
}

ByteStream::State EncryptedStream::state() const {
    if (m_mode == Mode::Failed)
        return State::Closed;
    if (m_closeRequested && isNegotiating())
        return State::Closing;
    return m_inner->state();
}

QString EncryptedStream::errorString() const {
    return m_error.isEmpty() ? m_inner->errorString() : m_error;
}

quint64 EncryptedStream::write(QByteArray data) {
    if (m_mode == Mode::Failed || m_closeRequested)
        return 0;
    if (isNegotiating()) {
        m_pendingBytes += data.size();
        m_pending.push_back({++m_lastId, std::move(data)});
        return m_lastId;
    }
    if (m_encrypt)
        m_encrypt->apply(data);
    const qint64 size = data.size();
    if (!m_runs.empty())
        m_runs.emplace_back(size, true);
    const quint64 id = m_inner->write(std::move(data));
    if (id == 0)
        return 0;
    m_lastId = id + m_idOffset;
    return m_lastId;
}

bool EncryptedStream::cancelWrite(quint64 id) {
    if (isNegotiating()) {
        for (auto it = m_pending.begin(); it != m_pending.end(); ++it)
            if (it->id == id) {
                m_pendingBytes -= it->data.size();
                m_pending.erase(it);
                return true;
            }
        return false;
    }
    // RC4 has encrypted the write in stream order; and while handshake bytes are still ahead, the runs
    // could not follow a take-back.
    if (m_mode != Mode::Streaming || m_encrypt || !m_runs.empty() || id <= m_idOffset)
        return false;
    return m_inner->cancelWrite(id - m_idOffset);
}

qint64 EncryptedStream::bytesToWrite() const {
    return m_pendingBytes + (m_mode == Mode::Failed ? 0 : m_inner->bytesToWrite());
}

bool EncryptedStream::isFlushed() const {
    return m_pending.empty() && (m_mode == Mode::Failed || m_inner->isFlushed());
}

qint64 EncryptedStream::bytesAvailable() const {
    if (m_mode != Mode::Streaming)
        return 0;
    return m_readBuffer.size() + m_inner->bytesAvailable();
}

QByteArray EncryptedStream::read(qint64 maxSize) {
    if (m_mode != Mode::Streaming || maxSize <= 0)
        return {};
    QByteArray out;
    if (!m_readBuffer.isEmpty()) {
        out = m_readBuffer.left(maxSize);
        m_readBuffer.remove(0, out.size());
        maxSize -= out.size();
    }
    if (maxSize > 0) {
        QByteArray more = m_inner->read(maxSize);
        if (m_decrypt)
            m_decrypt->apply(more);
        if (out.isEmpty())
            return more;
        out += more;
    }
    return out;
}

QByteArray EncryptedStream::readAll() {
    if (m_mode != Mode::Streaming)
        return {};
    QByteArray more = m_inner->readAll();
    if (m_decrypt)
        m_decrypt->apply(more);
    if (m_readBuffer.isEmpty())
        return more;
    QByteArray out = std::exchange(m_readBuffer, {});
    out += more;
    return out;
}

void EncryptedStream::setReadBufferLimit(qint64 bytes) {
    m_readLimit = bytes;
    m_inner->setReadBufferLimit(bytes);
}

void EncryptedStream::close() {
    if (m_mode == Mode::Failed)
        return;
    if (isNegotiating()) {
        m_closeRequested = true;
        return;
    }
    m_inner->close();
}

void EncryptedStream::abort() {
    m_timer.stop();
    m_pending.clear();
    m_pendingBytes = 0;
    if (m_mode != Mode::Failed) {
        m_mode = Mode::Failed;
        m_inner->abort();
    }
}

} // namespace swarmscope
