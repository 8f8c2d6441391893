#include "wire/Mse.h"

#include "metainfo/Sha1.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <mutex>

namespace swarmscope {

QString streamEncryptionName(StreamEncryption encryption) {
    switch (encryption) {
    case StreamEncryption::Plaintext:
        return QStringLiteral("plaintext");
    case StreamEncryption::MsePlaintext:
        return QStringLiteral("mse-plaintext");
    case StreamEncryption::Rc4:
        return QStringLiteral("rc4");
    }
    return {};
}

namespace mse {

namespace {

struct Crypto {
    EVP_CIPHER* rc4 = nullptr;
    QString error;
};

// OpenSSL 3 keeps RC4 in the legacy provider; loading it replaces the implicit default, so both are loaded.
// Once per process; the providers stay loaded.
const Crypto& crypto() {
    static Crypto c;
    static std::once_flag once;
    std::call_once(once, [] {
        OSSL_PROVIDER* legacy = OSSL_PROVIDER_load(nullptr, "legacy");
        OSSL_PROVIDER* deflt = OSSL_PROVIDER_load(nullptr, "default");
        if (!legacy || !deflt) {
            ERR_clear_error(); // the failed load's reasons; the error below says it
            c.error = QStringLiteral("RC4 is not available: OpenSSL's %1 provider did not load")
                          .arg(legacy ? QStringLiteral("default") : QStringLiteral("legacy"));
            return;
        }
        c.rc4 = EVP_CIPHER_fetch(nullptr, "RC4", nullptr);
        if (!c.rc4)
            c.error = QStringLiteral("RC4 is not available in OpenSSL's legacy provider");
    });
    return c;
}

// The well-known MSE prime, generator 2. It shares its first 704 bits with RFC 2409's 768-bit MODP prime but
// not its last ones: clients use this one.
constexpr char kPrimeHex[] =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A63A36210000000000090563";

struct Group {
    BIGNUM* p = nullptr;
    BIGNUM* g = nullptr;
    BIGNUM* pMinusOne = nullptr;
    Group() {
        BN_hex2bn(&p, kPrimeHex);
        g = BN_new();
        BN_set_word(g, 2);
        pMinusOne = BN_dup(p);
        BN_sub_word(pMinusOne, 1);
    }
};

const Group& group() {
    static const Group g;
    return g;
}

QByteArray modExp(const BIGNUM* base, const QByteArray& privateKey) {
    BN_CTX* ctx = BN_CTX_new();
    BIGNUM* x = BN_bin2bn(reinterpret_cast<const unsigned char*>(privateKey.constData()),
                          int(privateKey.size()), nullptr);
    BIGNUM* r = BN_new();
    QByteArray out(kKeyBytes, '\0');
    if (ctx && x && r && BN_mod_exp(r, base, x, group().p, ctx) == 1)
        BN_bn2binpad(r, reinterpret_cast<unsigned char*>(out.data()), kKeyBytes);
    else
        out.clear();
    BN_free(r);
    BN_clear_free(x);
    BN_CTX_free(ctx);
    return out;
}

quint32 readBe32(const char* p) {
    const auto* u = reinterpret_cast<const uchar*>(p);
    return quint32(u[0]) << 24 | quint32(u[1]) << 16 | quint32(u[2]) << 8 | quint32(u[3]);
}

int readBe16(const char* p) {
    const auto* u = reinterpret_cast<const uchar*>(p);
    return int(u[0]) << 8 | int(u[1]);
}

void appendBe32(QByteArray& out, quint32 v) {
    out.append(char(v >> 24)).append(char(v >> 16)).append(char(v >> 8)).append(char(v));
}

void appendBe16(QByteArray& out, int v) {
    out.append(char(v >> 8)).append(char(v));
}

QByteArray xorBytes(const QByteArray& a, const QByteArray& b) {
    QByteArray r = a;
    for (qsizetype i = 0; i < r.size() && i < b.size(); ++i)
        r[i] = char(r[i] ^ b[i]);
    return r;
}

} // namespace

QString cryptoError() {
    return crypto().error;
}

QString policyName(Policy policy) {
    switch (policy) {
    case Policy::Plaintext:
        return QStringLiteral("plaintext");
    case Policy::Prefer:
        return QStringLiteral("prefer");
    case Policy::Require:
        return QStringLiteral("require");
    }
    return {};
}

std::optional<Policy> policyFromName(QStringView name) {
    for (const Policy p : {Policy::Plaintext, Policy::Prefer, Policy::Require})
        if (name == policyName(p))
            return p;
    return std::nullopt;
}

Rc4::Rc4() = default;

Rc4::~Rc4() {
    EVP_CIPHER_CTX_free(static_cast<EVP_CIPHER_CTX*>(m_ctx));
}

bool Rc4::init(const QByteArray& key) {
    const Crypto& c = crypto();
    if (!c.rc4)
        return false;
    auto* ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return false;
    m_ctx = ctx;
    if (EVP_EncryptInit_ex2(ctx, c.rc4, nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_set_key_length(ctx, int(key.size())) != 1 ||
        EVP_EncryptInit_ex2(ctx, nullptr, reinterpret_cast<const unsigned char*>(key.constData()), nullptr,
                            nullptr) != 1)
        return false;
    // MSE drops the first 1024 bytes of keystream.
    QByteArray discard(1024, '\0');
    apply(discard);
    return true;
}

void Rc4::apply(char* data, qsizetype size) {
    auto* ctx = static_cast<EVP_CIPHER_CTX*>(m_ctx);
    auto* bytes = reinterpret_cast<unsigned char*>(data);
    while (size > 0) {
        const int chunk = int(qMin<qsizetype>(size, 1 << 30));
        int outLength = 0;
        EVP_EncryptUpdate(ctx, bytes, &outLength, bytes, chunk);
        bytes += chunk;
        size -= chunk;
    }
}

QByteArray publicKey(const QByteArray& privateKey) {
    return modExp(group().g, privateKey);
}

QByteArray sharedSecret(const QByteArray& privateKey, const QByteArray& peerPublicKey) {
    if (peerPublicKey.size() != kKeyBytes)
        return {};
    BIGNUM* y =
        BN_bin2bn(reinterpret_cast<const unsigned char*>(peerPublicKey.constData()), kKeyBytes, nullptr);
    QByteArray secret;
    // 0, 1 and P-1 (and anything past P) would make the secret guessable.
    if (y && BN_cmp(y, BN_value_one()) > 0 && BN_cmp(y, group().pMinusOne) < 0)
        secret = modExp(y, privateKey);
    BN_free(y);
    return secret;
}

QByteArray hash(QByteArrayView a, QByteArrayView b, QByteArrayView c) {
    Sha1Hasher h;
    h.add(a.data(), a.size());
    h.add(b.data(), b.size());
    h.add(c.data(), c.size());
    return h.result();
}

Handshake::Handshake(Options options) : m_options(std::move(options)) {
    if (const QString error = cryptoError(); !error.isEmpty()) {
        fail(error);
        return;
    }
    m_privateKey = m_options.random(kPrivateKeyBytes);
    const QByteArray ours = publicKey(m_privateKey);
    if (ours.isEmpty()) {
        fail(QStringLiteral("Diffie-Hellman key generation failed"));
        return;
    }
    if (m_options.role == Role::Initiator) {
        m_out += ours;
        m_out += randomPad();
    } else {
        m_syncPattern = ours; // sent once Ya has come
    }
}

Handshake::~Handshake() = default;

QByteArray Handshake::randomPad() {
    const QByteArray length = m_options.random(2);
    const int size = (uchar(length[0]) << 8 | uchar(length[1])) % (kMaxPad + 1);
    return m_options.random(size);
}

QByteArray Handshake::takeOutput() {
    return std::exchange(m_out, {});
}

std::unique_ptr<Rc4> Handshake::takeEncryptor() {
    return m_selected == kCryptoRc4 ? std::move(m_encrypt) : nullptr;
}

std::unique_ptr<Rc4> Handshake::takeDecryptor() {
    return m_selected == kCryptoRc4 ? std::move(m_decrypt) : nullptr;
}

void Handshake::fail(const QString& error) {
    m_state = State::Failed;
    m_error = error;
    m_in.clear();
    m_out.clear();
}

void Handshake::feed(QByteArrayView data) {
    if (m_state == State::Failed)
        return;
    m_in.append(data);
    if (m_state == State::Done)
        return;
    step();
}

quint32 Handshake::choose(quint32 provide) const {
    if (provide & kCryptoRc4)
        return kCryptoRc4;
    if (m_options.policy != Policy::Require && (provide & kCryptoPlaintext))
        return kCryptoPlaintext;
    return 0;
}

bool Handshake::deriveCiphers(const QByteArray& skey) {
    const bool initiator = m_options.role == Role::Initiator;
    const QByteArray keyA = hash("keyA", m_secret, skey);
    const QByteArray keyB = hash("keyB", m_secret, skey);
    m_encrypt = std::make_unique<Rc4>();
    m_decrypt = std::make_unique<Rc4>();
    if (!m_encrypt->init(initiator ? keyA : keyB) || !m_decrypt->init(initiator ? keyB : keyA)) {
        fail(cryptoError().isEmpty() ? QStringLiteral("RC4 key setup failed") : cryptoError());
        return false;
    }
    return true;
}

bool Handshake::onPeerKey() {
    m_secret = sharedSecret(m_privateKey, m_in.first(kKeyBytes));
    m_in.remove(0, kKeyBytes);
    if (m_secret.isEmpty()) {
        fail(QStringLiteral("the peer's Diffie-Hellman key is out of range"));
        return false;
    }
    if (m_options.role == Role::Responder) {
        m_out += m_syncPattern;
        m_out += randomPad();
        m_syncPattern = hash("req1", m_secret);
        m_state = State::FindReq1;
        return true;
    }
    m_infoHash = m_options.infoHash;
    if (!deriveCiphers(m_infoHash))
        return false;
    sendMessage3();
    // The responder's VC, encrypted: the keystream's next 8 bytes.
    m_syncPattern = QByteArray(kVcBytes, '\0');
    m_decrypt->apply(m_syncPattern);
    m_state = State::FindVc;
    return true;
}

void Handshake::sendMessage3() {
    m_provide = m_options.policy == Policy::Require ? kCryptoRc4 : (kCryptoRc4 | kCryptoPlaintext);
    QByteArray ia = m_options.initialPayload ? m_options.initialPayload() : QByteArray();
    ia.truncate(0xffff);
    const QByteArray padC = randomPad();
    QByteArray plain(kVcBytes, '\0');
    appendBe32(plain, m_provide);
    appendBe16(plain, int(padC.size()));
    plain += padC;
    appendBe16(plain, int(ia.size()));
    plain += ia;
    m_encrypt->apply(plain);
    m_out += hash("req1", m_secret);
    m_out += xorBytes(hash("req2", m_infoHash), hash("req3", m_secret));
    m_out += plain;
}

void Handshake::sendMessage4() {
    const QByteArray padD = randomPad();
    QByteArray plain(kVcBytes, '\0');
    appendBe32(plain, m_selected);
    appendBe16(plain, int(padD.size()));
    plain += padD;
    m_encrypt->apply(plain);
    m_out += plain;
}

void Handshake::step() {
    for (;;) {
        switch (m_state) {
        case State::ReadPeerKey:
            if (m_in.size() < kKeyBytes || !onPeerKey())
                return;
            break;
        case State::FindReq1:
        case State::FindVc: {
            const bool responder = m_state == State::FindReq1;
            const qsizetype window = kMaxPad + m_syncPattern.size();
            const qsizetype at = m_in.left(window).indexOf(m_syncPattern);
            if (at < 0) {
                if (m_in.size() >= window)
                    fail(responder ? QStringLiteral("no HASH('req1', S) within the %1-byte MSE sync window")
                                         .arg(kResponderSyncWindow)
                                   : QStringLiteral("no verification constant within the %1-byte MSE sync "
                                                    "window")
                                         .arg(kInitiatorSyncWindow));
                return;
            }
            m_in.remove(0, at + m_syncPattern.size());
            m_state = responder ? State::ReadSkeyHash : State::ReadSelect;
            break;
        }
        case State::ReadSkeyHash: {
            if (m_in.size() < 20)
                return;
            const QByteArray req2 = xorBytes(m_in.first(20), hash("req3", m_secret));
            m_in.remove(0, 20);
            const QList<QByteArray> known =
                m_options.infoHashes ? m_options.infoHashes() : QList<QByteArray>();
            for (const QByteArray& candidate : known)
                if (hash("req2", candidate) == req2)
                    m_infoHash = candidate;
            if (m_infoHash.isEmpty()) {
                fail(QStringLiteral("the peer's MSE handshake names no torrent of ours"));
                return;
            }
            if (!deriveCiphers(m_infoHash))
                return;
            m_state = State::ReadProvide;
            break;
        }
        case State::ReadProvide: {
            if (m_in.size() < kVcBytes + 6)
                return;
            QByteArray head = m_in.first(kVcBytes + 6);
            m_in.remove(0, head.size());
            m_decrypt->apply(head);
            if (head.first(kVcBytes) != QByteArray(kVcBytes, '\0')) {
                fail(QStringLiteral("bad MSE verification constant"));
                return;
            }
            m_provide = readBe32(head.constData() + kVcBytes);
            m_length = readBe16(head.constData() + kVcBytes + 4);
            if (m_length > kMaxPad) {
                fail(QStringLiteral("MSE PadC of %1 bytes (at most %2)").arg(m_length).arg(kMaxPad));
                return;
            }
            m_selected = choose(m_provide);
            if (m_selected == 0) {
                fail(QStringLiteral("the peer offers crypto 0x%1, none of which policy %2 accepts")
                         .arg(m_provide, 0, 16)
                         .arg(policyName(m_options.policy)));
                return;
            }
            m_state = State::ReadPadC;
            break;
        }
        case State::ReadPadC:
        case State::ReadPadD: {
            if (m_in.size() < m_length)
                return;
            QByteArray pad = m_in.first(m_length);
            m_in.remove(0, m_length);
            m_decrypt->apply(pad);
            if (m_state == State::ReadPadD) {
                m_state = State::Done;
                return;
            }
            m_state = State::ReadIaLength;
            break;
        }
        case State::ReadIaLength: {
            if (m_in.size() < 2)
                return;
            QByteArray length = m_in.first(2);
            m_in.remove(0, 2);
            m_decrypt->apply(length);
            m_length = readBe16(length.constData());
            m_state = State::ReadIa;
            break;
        }
        case State::ReadIa:
            if (m_in.size() < m_length)
                return;
            m_initialPayload = m_in.first(m_length);
            m_in.remove(0, m_length);
            m_decrypt->apply(m_initialPayload);
            sendMessage4();
            m_state = State::Done;
            return;
        case State::ReadSelect: {
            if (m_in.size() < 6)
                return;
            QByteArray head = m_in.first(6);
            m_in.remove(0, 6);
            m_decrypt->apply(head);
            m_selected = readBe32(head.constData());
            m_length = readBe16(head.constData() + 4);
            if ((m_selected != kCryptoRc4 && m_selected != kCryptoPlaintext) || !(m_selected & m_provide)) {
                fail(QStringLiteral(
                         "the peer's crypto_select 0x%1 is not exactly one of the methods we offered (0x%2)")
                         .arg(m_selected, 0, 16)
                         .arg(m_provide, 0, 16));
                return;
            }
            if (m_length > kMaxPad) {
                fail(QStringLiteral("MSE PadD of %1 bytes (at most %2)").arg(m_length).arg(kMaxPad));
                return;
            }
            m_state = State::ReadPadD;
            break;
        }
        case State::Done:
        case State::Failed:
            return;
        }
    }
}

} // namespace mse
} // namespace swarmscope
