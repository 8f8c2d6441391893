#include "metainfo/MagnetLink.h"

#include <QTest>

using namespace swarmscope;

namespace {

const char* const aliceHex = "722fe65b2aa26d14f35b4ad627d20236e481d924";
const char* const aliceBase32 = "OIX6MWZKUJWRJ423JLLCPUQCG3SIDWJE";
const char* const v2Hash = "1220caf1e1c30e81cb361b9ee167c4aa64228a7fa4fa9f6105232b28ad099f3a302e";

QString link(const char* query) {
    return QStringLiteral("magnet:?") + QString::fromUtf8(query);
}

QString arg(const char* format, const char* value) {
    return QString::fromUtf8(format).arg(QString::fromUtf8(value));
}

} // namespace

class TestMagnetLink : public QObject {
    Q_OBJECT
private slots:
    void goodLink_isParsed_data();
    void goodLink_isParsed();
    void badLink_isRejected_data();
    void badLink_isRejected();
    void nullErrorPointer_isAllowed();
};

void TestMagnetLink::goodLink_isParsed_data() {
    QTest::addColumn<QString>("uri");
    QTest::addColumn<QString>("hashHex");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("trackers");
    const QString hex = QString::fromUtf8(aliceHex);
    const auto s = [](const char* text) { return QString::fromUtf8(text); };

    QTest::newRow("hex") << arg("magnet:?xt=urn:btih:%1", aliceHex) << hex << QString() << QStringList();
    QTest::newRow("upper-case hex and scheme")
        << arg("MAGNET:?XT=URN:BTIH:%1", aliceHex).toUpper() << hex << QString() << QStringList();
    QTest::newRow("base32") << arg("magnet:?xt=urn:btih:%1", aliceBase32) << hex << QString()
                            << QStringList();
    QTest::newRow("lower-case base32")
        << arg("magnet:?xt=urn:btih:%1", aliceBase32).toLower() << hex << QString() << QStringList();
    QTest::newRow("name and trackers")
        << arg("magnet:?xt=urn:btih:%1&dn=alice.txt&tr=http%3A%2F%2Ft1.invalid%2Fannounce"
               "&tr=udp%3A%2F%2Ft2.invalid%3A6969&tr=http%3A%2F%2Ft1.invalid%2Fannounce",
               aliceHex)
        << hex << s("alice.txt") << QStringList{s("http://t1.invalid/announce"), s("udp://t2.invalid:6969")};
    QTest::newRow("plus in name is a space, in a tracker it is not")
        << arg("magnet:?dn=Alice+in%20Wonderland&tr=http://t.invalid/a+b&xt=urn:btih:%1", aliceHex) << hex
        << s("Alice in Wonderland") << QStringList{s("http://t.invalid/a+b")};
    QTest::newRow("utf-8 name") << arg("magnet:?xt=urn:btih:%1&dn=%C3%9Cbung%20%E6%97%A5", aliceHex) << hex
                                << s("\xc3\x9c"
                                     "bung \xe6\x97\xa5")
                                << QStringList();
    QTest::newRow("unknown parameters ignored")
        << arg("magnet:?xl=163783&xt=urn:btih:%1&ws=http%3A%2F%2Fseed&x.pe=1.2.3.4:5&so=0-3&&", aliceHex)
        << hex << QString() << QStringList();
    QTest::newRow("percent-encoded topic")
        << arg("magnet:?xt=urn%3Abtih%3A%1", aliceHex) << hex << QString() << QStringList();
    QTest::newRow("numbered topics agree")
        << link("xt.1=urn:btih:") + hex + QStringLiteral("&xt.2=urn:btih:") + QString::fromUtf8(aliceBase32)
        << hex << QString() << QStringList();
    QTest::newRow("hybrid: btih beside btmh")
        << link("xt=urn:btmh:") + QString::fromUtf8(v2Hash) + QStringLiteral("&xt=urn:btih:") + hex << hex
        << QString() << QStringList();
    QTest::newRow("other urns ignored")
        << arg("magnet:?xt=urn:sha1:ABCDEF&xt=urn:btih:%1", aliceHex) << hex << QString() << QStringList();
    QTest::newRow("fragment ignored")
        << arg("magnet:?xt=urn:btih:%1#fragment", aliceHex) << hex << QString() << QStringList();
    QTest::newRow("surrounding whitespace")
        << arg("  magnet:?xt=urn:btih:%1\n", aliceHex) << hex << QString() << QStringList();
    QTest::newRow("first name wins") << arg("magnet:?xt=urn:btih:%1&dn=one&dn=two", aliceHex) << hex
                                     << s("one") << QStringList();
}

void TestMagnetLink::goodLink_isParsed() {
    QFETCH(QString, uri);
    QFETCH(QString, hashHex);
    QFETCH(QString, name);
    QFETCH(QStringList, trackers);
    QString error;
    const std::optional<MagnetLink> magnet = parseMagnetLink(uri, &error);
    QVERIFY2(magnet, qPrintable(error));
    QCOMPARE(magnet->infoHash.size(), qsizetype(20));
    QCOMPARE(magnet->infoHashHex(), hashHex);
    QCOMPARE(magnet->displayName, name);
    QCOMPARE(magnet->trackers, trackers);
}

void TestMagnetLink::badLink_isRejected_data() {
    QTest::addColumn<QString>("uri");
    QTest::addColumn<QString>("error");
    const QString hex = QString::fromUtf8(aliceHex);
    const auto s = [](const char* text) { return QString::fromUtf8(text); };
    QTest::newRow("empty") << QString() << s("a magnet link must start with 'magnet:?'");
    QTest::newRow("http") << s("http://example.invalid/?xt=urn:btih:") + hex
                          << s("a magnet link must start with 'magnet:?'");
    QTest::newRow("no question mark")
        << s("magnet:xt=urn:btih:") + hex << s("a magnet link must start with 'magnet:?'");
    QTest::newRow("no topic") << link("dn=alice.txt") << s("the link has no info-hash");
    QTest::newRow("only another urn")
        << link("xt=urn:sha1:YNCKHTQCWBTRNJIV4WNAE52SJUQCZO5C") << s("the link has no info-hash");
    QTest::newRow("empty btih") << link("xt=urn:btih:")
                                << s("the btih info-hash must have 40 hex or 32 base32 digits, not 0 (xt)");
    QTest::newRow("39 hex digits")
        << link("xt=urn:btih:") + hex.left(39)
        << s("the btih info-hash must have 40 hex or 32 base32 digits, not 39 (xt)");
    QTest::newRow("41 hex digits")
        << link("xt=urn:btih:") + hex + u'0'
        << s("the btih info-hash must have 40 hex or 32 base32 digits, not 41 (xt)");
    QTest::newRow("40 non-hex characters")
        << link("xt=urn:btih:") + QString(40, u'g') << s("but they are not all hex digits");
    QTest::newRow("32 non-base32 characters")
        << link("xt=urn:btih:") + QString(32, u'1') << s("but they are not all base32 digits");
    QTest::newRow("conflicting topics")
        << link("xt=urn:btih:") + hex + QStringLiteral("&xt=urn:btih:") + QString(40, u'a')
        << s("the link names two different btih info-hashes");
    QTest::newRow("v2 only") << link("xt=urn:btmh:") + QString::fromUtf8(v2Hash)
                             << s("BitTorrent v2 magnet links (urn:btmh) are not supported");
    QTest::newRow("bad percent escape") << link("xt=urn:btih:%zz")
                                        << s("the xt parameter has a '%' that is not "
                                             "followed by two hex digits");
    QTest::newRow("truncated percent escape in name")
        << link("xt=urn:btih:") + hex + QStringLiteral("&dn=abc%4") << s("the dn parameter has a '%'");
}

void TestMagnetLink::badLink_isRejected() {
    QFETCH(QString, uri);
    QFETCH(QString, error);
    QString actual;
    QVERIFY(!parseMagnetLink(uri, &actual));
    QVERIFY2(actual.contains(error), qPrintable(actual));
}

void TestMagnetLink::nullErrorPointer_isAllowed() {
    QVERIFY(!parseMagnetLink(QStringLiteral("magnet:?dn=x"), nullptr));
    QVERIFY(parseMagnetLink(link("xt=urn:btih:") + QString::fromUtf8(aliceHex), nullptr));
}

QTEST_GUILESS_MAIN(TestMagnetLink)
#include "tst_magnetlink.moc"
