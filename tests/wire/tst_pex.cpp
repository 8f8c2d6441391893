// BEP 11 ut_pex messages: compact IPv4 and IPv6 entries with their flags, the 50-peer bounds, and errors that
// name the key at fault.
#include "WireTestSupport.h"
#include "wire/PexMessage.h"

#include <QTest>

using namespace swarmscope;

namespace {
// Bytes with embedded NULs, all of them.
QByteArray operator""_bytes(const char* s, size_t n) {
    return QByteArray(s, qsizetype(n));
}
} // namespace

class TestPexMessage : public QObject {
    Q_OBJECT
private slots:
    void roundTrip_ipv4AndIpv6WithFlags() {
        PexMessage m;
        m.added.append(
            {QHostAddress(QStringLiteral("10.0.0.1")), 6881, wire::kPexSeed | wire::kPexConnectable});
        m.added.append({QHostAddress(QStringLiteral("2001:db8::1")), 51413, wire::kPexConnectable});
        m.dropped.append({QHostAddress(QStringLiteral("10.0.0.2")), 6882, 0});
        m.dropped.append({QHostAddress(QStringLiteral("2001:db8::2")), 6883, 0});
        const QByteArray bytes = wire::encodePexMessage(m);
        // Keys sorted, IPv4 entries of 6 bytes, IPv6 of 18.
        QVERIFY(bytes.startsWith("d5:added6:\x0a\x00\x00\x01\x1a\xe1"
                                 "7:added.f1:\x12"
                                 "6:added618:"_bytes));
        QString error;
        const std::optional<PexMessage> back = wire::decodePexMessage(bytes, &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(*back, m);
    }

    void encode_keepsTheBep11Bounds() {
        PexMessage m;
        for (int i = 0; i < 80; ++i) {
            m.added.append({QHostAddress(quint32(0x0a000000 + i + 1)), 6881, 0});
            m.dropped.append({QHostAddress(quint32(0x0b000000 + i + 1)), 6881, 0});
        }
        const std::optional<PexMessage> back = wire::decodePexMessage(wire::encodePexMessage(m), nullptr);
        QVERIFY(back);
        QCOMPARE(back->added.size(), wire::kMaxPexAdded);
        QCOMPARE(back->dropped.size(), wire::kMaxPexDropped);
    }

    void decode_ignoresUnknownKeysAndPortZero() {
        QString error;
        const std::optional<PexMessage> m =
            wire::decodePexMessage("d5:added12:\x0a\x00\x00\x01\x00\x00\x0a\x00\x00\x02\x1a\xe1"
                                   "4:zzzzli1eee"_bytes,
                                   &error);
        QVERIFY2(m, qPrintable(error));
        QCOMPARE(m->added.size(), 1);
        QCOMPARE(m->added.first().address, QHostAddress(QStringLiteral("10.0.0.2")));
        QCOMPARE(m->added.first().flags, quint8(0));
    }

    void decode_namesTheKeyAtFault() {
        QString error;
        QVERIFY(!wire::decodePexMessage("d5:added6:\x0a\x00\x00\x01\x1a\xe1"
                                        "7:added.fi3ee"_bytes,
                                        &error));
        QCOMPARE(error, QStringLiteral("ut_pex: \"added.f\" is not a string"));
        QVERIFY(!wire::decodePexMessage("d7:dropped5:abcdee"_bytes, &error));
        QCOMPARE(error, QStringLiteral("ut_pex: \"dropped\" is 5 bytes, not a multiple of 6"));
    }
};

std::unique_ptr<QObject> swarmscope::createPexMessageTests() {
    return std::make_unique<TestPexMessage>();
}

#include "tst_pex.moc"
