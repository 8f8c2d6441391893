#pragma once

#include "clock/Timer.h"
#include "transport/ByteStream.h"
#include "wire/Mse.h"

#include <QRandomGenerator>

#include <deque>
#include <memory>

namespace swarmscope {

class Network;

// A ByteStream that speaks MSE/PE (mse::Handshake) over another one and then carries the BitTorrent stream,
// RC4-encrypted or not, so the peer connection above reads and writes plaintext as ever.
//
// Outgoing: writes made during the handshake wait here (the first of them, the BitTorrent handshake, goes as
// the initial payload). When the peer closes or resets before the handshake completes, or it takes too long,
// policy Prefer dials the peer again once in plaintext and sends the same bytes there (fellBack()).
// Incoming: the first bytes decide, 0x13 "BitTorrent protocol" is plaintext (refused under Require), anything
// else is an MSE responder's handshake (refused under Plaintext).
//
// Counting: only the BitTorrent stream's bytes are reported by bytesSent(), as they cross the link; the MSE
// handshake's own bytes (keys, pads, hashes) are not. Once RC4 runs, a write is encrypted in stream order the
// moment it is made and cannot be taken back: cancelWrite() is false, so a choke or cancel lets such a block
// go out and it counts as sent. Writes still waiting for the handshake, and plaintext streams, take back as
// the stream below does.
class EncryptedStream : public ByteStream {
    Q_OBJECT
public:
    struct Options {
        mse::Policy policy = mse::Policy::Prefer;
        // The random private keys and pads; a seed (not 0) makes them repeat run after run.
        quint64 seed = 0;
        // Outgoing: the torrent; incoming: the torrents a peer may name.
        QByteArray infoHash;
        std::function<QList<QByteArray>()> infoHashes;
        // Outgoing: how long the MSE handshake may take before the plaintext retry.
        qint64 timeoutMs = 5'000;
    };

    // Dials address:port on network and starts the initiator's handshake.
    static EncryptedStream* connectTo(Network& network, const QHostAddress& address, quint16 port,
                                      const Options& options);
    // Takes ownership of an accepted stream and reads the peer's first bytes.
    static EncryptedStream* accept(Network& network, ByteStream* inner, const Options& options);
    ~EncryptedStream() override;

    StreamEncryption encryption() const { return m_encryption; }
    // An outgoing MSE attempt failed and the stream runs on a plaintext retry.
    bool fellBack() const { return m_fellBack; }
    // Why the MSE attempt failed, when it fell back.
    QString fallbackReason() const { return m_fallbackReason; }
    // Still reading the first bytes or in the MSE handshake.
    bool isNegotiating() const { return m_mode == Mode::Detecting || m_mode == Mode::Handshaking; }

    State state() const override;
    QHostAddress peerAddress() const override { return m_address; }
    quint16 peerPort() const override { return m_port; }
    QString errorString() const override;
    quint64 write(QByteArray data) override;
    bool cancelWrite(quint64 id) override;
    qint64 bytesToWrite() const override;
    bool isFlushed() const override;
    qint64 bytesAvailable() const override;
    QByteArray read(qint64 maxSize) override;
    QByteArray readAll() override;
    void setReadBufferLimit(qint64 bytes) override;
    void close() override;
    void abort() override;

private:
    enum class Mode { Detecting, Handshaking, Streaming, Failed };
    struct Pending {
        quint64 id;
        QByteArray data;
    };
    EncryptedStream(Network& network, const Options& options, bool outgoing);
    void attach(ByteStream* inner);
    void startHandshake();
    void onInnerReadyRead();
    void onInnerClosed();
    void onInnerBytesSent(qint64 bytes);
    void detect();
    void runHandshake(QByteArrayView data);
    void finishHandshake();
    void writeInner(QByteArray data, bool payload);
    // retryable: the peer closed or reset, or it timed out (not a protocol violation).
    void handshakeFailed(const QString& reason, bool retryable);
    void fail(const QString& reason);
    QByteArray takeInitialPayload();
    void flushPending();
    QByteArray randomBytes(int size);

    Network& m_network;
    Options m_options;
    bool m_outgoing;
    QHostAddress m_address;
    quint16 m_port = 0;
    ByteStream* m_inner = nullptr;
    Mode m_mode = Mode::Detecting;
    StreamEncryption m_encryption = StreamEncryption::Plaintext;
    bool m_fellBack = false;
    bool m_connectedEmitted = false;
    bool m_closeRequested = false;
    qint64 m_readLimit = 0;
    QString m_error;
    QString m_fallbackReason;
    qsizetype m_iaPending = 0; // of the handshake's output: the initial payload at its end
    QRandomGenerator m_random;
    std::unique_ptr<mse::Handshake> m_handshake;
    std::unique_ptr<mse::Rc4> m_encrypt;
    std::unique_ptr<mse::Rc4> m_decrypt;
    Timer m_timer;
    QByteArray m_detectBuffer;
    QByteArray m_initialPayload;   // outgoing: what message 3 carried, for a plaintext retry
    QByteArray m_readBuffer;       // plaintext the peer sent, ahead of the stream below
    std::deque<Pending> m_pending; // written while negotiating
    qint64 m_pendingBytes = 0;
    // The stream below carries, in order, handshake bytes and ours: (length, ours) runs not yet across.
    std::deque<std::pair<qint64, bool>> m_runs;
    quint64 m_lastId = 0;
    quint64 m_idOffset = 0; // once streaming without RC4: our id = the id below + this
};

} // namespace swarmscope
