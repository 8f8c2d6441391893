#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace swarmscope {

// What a connection's stream negotiated, for snapshots and the connection log.
enum class StreamEncryption {
    Plaintext,    // BEP 3 as is, no MSE handshake
    MsePlaintext, // an MSE handshake that selected plaintext for the stream
    Rc4,          // an MSE handshake that selected RC4
};
// "plaintext", "mse-plaintext", "rc4"
QString streamEncryptionName(StreamEncryption encryption);

// Message Stream Encryption / Protocol Encryption, as real clients speak it (the Vuze / libtorrent /
// Transmission de-facto spec): a 768-bit Diffie-Hellman exchange, the torrent named by a hash of its
// info-hash, the choice of plaintext or RC4 for the rest of the stream, and the BitTorrent handshake carried
// as the initial payload. RC4 and the modular arithmetic come from OpenSSL's libcrypto (RC4 through its
// legacy provider).
namespace mse {

constexpr int kKeyBytes = 96;        // a public key or shared secret: 768 bits, big-endian
constexpr int kPrivateKeyBytes = 20; // 160-bit private keys
constexpr int kMaxPad = 512;
constexpr int kVcBytes = 8;
// How far the responder looks for HASH('req1', S) (Ya, PadA, then the hash) and the initiator for the
// encrypted VC (Yb, PadB, then the VC).
constexpr int kResponderSyncWindow = kKeyBytes + kMaxPad + 20; // 628
constexpr int kInitiatorSyncWindow = kKeyBytes + kMaxPad + kVcBytes;
constexpr quint32 kCryptoPlaintext = 0x01;
constexpr quint32 kCryptoRc4 = 0x02;

// Empty when RC4 can be used; otherwise why not (the legacy provider did not load).
QString cryptoError();

// RC4 with the first 1024 bytes of keystream dropped, as MSE uses it. Not copyable.
class Rc4 {
public:
    Rc4();
    ~Rc4();
    Rc4(const Rc4&) = delete;
    Rc4& operator=(const Rc4&) = delete;
    // False with cryptoError() when RC4 is not available.
    bool init(const QByteArray& key);
    void apply(char* data, qsizetype size);
    void apply(QByteArray& data) { apply(data.data(), data.size()); }

private:
    void* m_ctx = nullptr;
};

// g^x mod P, 96 bytes; x is 20 bytes.
QByteArray publicKey(const QByteArray& privateKey);
// peer^x mod P, 96 bytes; empty when the peer's key is not in 2..P-2.
QByteArray sharedSecret(const QByteArray& privateKey, const QByteArray& peerPublicKey);
QByteArray hash(QByteArrayView a, QByteArrayView b = {}, QByteArrayView c = {});

enum class Policy {
    Plaintext, // never encrypt; incoming MSE is refused
    Prefer,    // outgoing offers RC4 and plaintext (falls back to BEP 3 once); incoming accepts both
    Require,   // RC4 only, both ways
};
QString policyName(Policy policy);
// "plaintext", "prefer" or "require"; nullopt for anything else.
std::optional<Policy> policyFromName(QStringView name);

// One side of the MSE handshake, without I/O: bytes from the peer go in with feed(), bytes for the peer come
// out with takeOutput(). Every length is bounded, so what it buffers is too (at most the sync window plus a
// 64 KiB initial payload).
class Handshake {
public:
    enum class Role { Initiator, Responder };
    struct Options {
        Role role = Role::Initiator;
        Policy policy = Policy::Prefer;
        // Makes the private key and the pads; called for every random byte string the handshake needs.
        std::function<QByteArray(int size)> random;
        // Initiator: the torrent's info-hash, and, when Yb has arrived, the initial payload (the BitTorrent
        // handshake; at most 65535 bytes).
        QByteArray infoHash;
        std::function<QByteArray()> initialPayload;
        // Responder: the info-hashes a peer may name.
        std::function<QList<QByteArray>()> infoHashes;
    };

    explicit Handshake(Options options);
    ~Handshake();

    // Initiator: Ya and PadA go out at once (takeOutput()).
    void feed(QByteArrayView data);
    QByteArray takeOutput();

    bool isDone() const { return m_state == State::Done; }
    bool hasFailed() const { return m_state == State::Failed; }
    QString errorString() const { return m_error; }

    // Once done: plaintext or RC4 for the rest of the stream, the torrent, the responder's decrypted initial
    // payload, the ciphers (null for plaintext), and the peer's bytes that came after the handshake, not yet
    // decrypted.
    quint32 selected() const { return m_selected; }
    QByteArray infoHash() const { return m_infoHash; }
    QByteArray takeInitialPayload() { return std::exchange(m_initialPayload, {}); }
    std::unique_ptr<Rc4> takeEncryptor();
    std::unique_ptr<Rc4> takeDecryptor();
    QByteArray takeRemainder() { return std::exchange(m_in, {}); }

private:
    enum class State {
        ReadPeerKey,
        // responder
        FindReq1,
        ReadSkeyHash,
        ReadProvide,
        ReadPadC,
        ReadIaLength,
        ReadIa,
        // initiator
        FindVc,
        ReadSelect,
        ReadPadD,
        Done,
        Failed,
    };
    void fail(const QString& error);
    void step();
    bool onPeerKey();
    void sendMessage3();
    void sendMessage4();
    bool deriveCiphers(const QByteArray& skey);
    quint32 choose(quint32 provide) const;
    QByteArray randomPad();

    Options m_options;
    State m_state = State::ReadPeerKey;
    QString m_error;
    QByteArray m_in;
    QByteArray m_out;
    QByteArray m_privateKey;
    QByteArray m_secret;
    QByteArray m_infoHash;
    QByteArray m_initialPayload;
    QByteArray m_syncPattern;
    int m_length = 0;     // of the pad or payload being read
    quint32 m_provide = 0;
    quint32 m_selected = 0;
    std::unique_ptr<Rc4> m_encrypt;
    std::unique_ptr<Rc4> m_decrypt;
};

} // namespace mse
} // namespace swarmscope
