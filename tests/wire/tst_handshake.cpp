#include "WireTestSupport.h"
#include "wire/Handshake.h"

#include <QTest>

using namespace swarmscope;

namespace {

Handshake sampleHandshake() {
    Handshake h;
    h.reserved = QByteArray::fromHex("0000000000100005"); // extension bits must survive untouched
    h.infoHash = QByteArray::fromHex("0123456789abcdef0123456789abcdef01234567");
    h.peerId = QByteArrayLiteral("-SS0010-abcdefghijkl");
    return h;
}

using Status = HandshakeDecodeResult::Status;

} // namespace

class TestHandshake : public QObject {
    Q_OBJECT
private slots:
    void encode_isBep3Layout() {
        const Handshake h = sampleHandshake();
        const QByteArray bytes = encodeHandshake(h);
        QCOMPARE(bytes.size(), 68);
        QCOMPARE(bytes.left(20), QByteArray("\x13"
                                            "BitTorrent protocol"));
        QCOMPARE(bytes.mid(20, 8), h.reserved);
        QCOMPARE(bytes.mid(28, 20), h.infoHash);
        QCOMPARE(bytes.mid(48, 20), h.peerId);
    }

    void decode_roundTripsAndKeepsReserved() {
        const Handshake h = sampleHandshake();
        const QByteArray stream = encodeHandshake(h) + QByteArray::fromHex("0000000102"); // a message follows
        const HandshakeDecodeResult r = decodeHandshake(stream);
        QCOMPARE(r.status, Status::Complete);
        QCOMPARE(r.consumed, 68);
        QCOMPARE(r.handshake, h);
    }

    void decode_everyPrefixNeedsMore() {
        const Handshake h = sampleHandshake();
        const QByteArray bytes = encodeHandshake(h);
        for (qsizetype n = 0; n < bytes.size(); ++n) {
            const HandshakeDecodeResult r = decodeHandshake(QByteArrayView(bytes).first(n));
            QCOMPARE(r.status, Status::NeedMoreData);
            QCOMPARE(r.consumed, 0);
            // The info hash is known as soon as its bytes are there, before the peer id.
            QCOMPARE(r.hasInfoHash(), n >= Handshake::kInfoHashEnd);
            if (r.hasInfoHash()) {
                QCOMPARE(r.handshake.infoHash, h.infoHash);
                QCOMPARE(r.handshake.reserved, h.reserved);
            }
        }
    }

    void decode_rejectsBadHandshake_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("error");
        const QByteArray good = encodeHandshake(sampleHandshake());
        const int badLength = int(WireError::BadProtocolLength);
        const int badString = int(WireError::BadProtocolString);
        QTest::newRow("pstrlen 18") << QByteArray(QByteArray("\x12") + good.mid(1)) << badLength;
        QTest::newRow("pstrlen 20") << QByteArray(QByteArray("\x14") + good.mid(1)) << badLength;
        QTest::newRow("pstrlen 0") << QByteArray(1, '\0') << badLength;
        QTest::newRow("pstrlen 255 alone") << QByteArray("\xff") << badLength;
        QTest::newRow("HTTP instead") << QByteArray("GET /announce HTTP/1.1\r\n") << badLength;
        const QByteArray wrongCase = QByteArray("\x13"
                                                "bitTorrent protocol") +
                                     good.mid(20);
        const QByteArray wrongLast = QByteArray("\x13"
                                                "BitTorrent protocoL") +
                                     good.mid(20);
        QTest::newRow("pstr case") << wrongCase << badString;
        QTest::newRow("pstr last byte") << wrongLast << badString;
        // Refused at the first wrong byte, without waiting for the rest.
        QTest::newRow("pstr early") << QByteArray("\x13"
                                                  "BitX")
                                    << badString;
        QTest::newRow("pstr one wrong byte") << QByteArray("\x13"
                                                           "X")
                                             << badString;
    }
    void decode_rejectsBadHandshake() {
        QFETCH(QByteArray, bytes);
        QFETCH(int, error);
        const HandshakeDecodeResult r = decodeHandshake(bytes);
        QCOMPARE(r.status, Status::Invalid);
        QCOMPARE(r.error, WireError(error));
        QCOMPARE(r.consumed, 0);
        QVERIFY(!r.errorString().isEmpty());
    }

    void decode_shortHandshakeNeedsMore_data() {
        QTest::addColumn<int>("length");
        for (int n : {0, 1, 19, 20, 27, 47, 48, 67})
            QTest::newRow(qPrintable(QString::number(n))) << n;
    }
    void decode_shortHandshakeNeedsMore() {
        QFETCH(int, length);
        const HandshakeDecodeResult r = decodeHandshake(encodeHandshake(sampleHandshake()).left(length));
        QCOMPARE(r.status, Status::NeedMoreData);
        QCOMPARE(r.error, WireError::None);
        QCOMPARE(r.consumed, 0);
        QVERIFY(!r.isComplete());
    }
};

std::unique_ptr<QObject> swarmscope::createHandshakeTests() {
    return std::make_unique<TestHandshake>();
}

#include "tst_handshake.moc"
