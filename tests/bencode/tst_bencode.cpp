#include "bencode/Bencode.h"

#include <QSet>
#include <QTest>

#include <limits>
#include <random>

using namespace swarmscope;

namespace swarmscope {
// Lets QCOMPARE print the kind's name instead of a number.
char* toString(BencodeError error) {
    return QTest::toString(bencodeErrorDescription(error));
}
} // namespace swarmscope

namespace {

struct BadInput {
    const char* name;
    QByteArray input;
    BencodeError error;
    qsizetype offset;
    BencodeLimits limits = {};
};

QByteArray nested(int depth) {
    return QByteArray(depth, 'l') + QByteArray(depth, 'e');
}

BencodeLimits tokenLimit(qsizetype tokens) {
    BencodeLimits limits;
    limits.maxTokens = tokens;
    return limits;
}

BencodeLimits depthLimit(int depth) {
    BencodeLimits limits;
    limits.maxDepth = depth;
    return limits;
}

// One row per way to be malformed; badInputTable_coversEveryErrorKind keeps it complete.
QList<BadInput> badInputs() {
    return {
        {"empty input", "", BencodeError::UnexpectedEnd, 0},
        {"unterminated integer", "i12", BencodeError::UnexpectedEnd, 3},
        {"unterminated list", "li1e", BencodeError::UnexpectedEnd, 4},
        {"unterminated dictionary", "d1:ai1e", BencodeError::UnexpectedEnd, 7},
        {"string length without colon at end", "3", BencodeError::UnexpectedEnd, 1},
        {"unknown type byte", "x", BencodeError::UnexpectedCharacter, 0},
        {"letter inside integer", "i1x", BencodeError::UnexpectedCharacter, 2},
        {"plus sign", "i+1e", BencodeError::UnexpectedCharacter, 1},
        {"string length without colon", "3abc", BencodeError::UnexpectedCharacter, 1},
        {"dictionary key of bad byte", "dxe", BencodeError::UnexpectedCharacter, 1},
        {"dictionary key without value", "d1:ae", BencodeError::UnexpectedCharacter, 4},
        {"stray end", "e", BencodeError::UnexpectedCharacter, 0},
        {"empty integer", "ie", BencodeError::EmptyInteger, 1},
        {"minus without digits", "i-e", BencodeError::EmptyInteger, 2},
        {"leading zero in integer", "i03e", BencodeError::LeadingZero, 1},
        {"double zero integer", "i00e", BencodeError::LeadingZero, 1},
        {"leading zero in negative integer", "i-03e", BencodeError::LeadingZero, 2},
        {"leading zero in string length", "03:abc", BencodeError::LeadingZero, 0},
        {"leading zero in empty string length", "00:", BencodeError::LeadingZero, 0},
        {"negative zero", "i-0e", BencodeError::NegativeZero, 1},
        {"integer one past max", "i9223372036854775808e", BencodeError::IntegerOverflow, 19},
        {"integer one past min", "i-9223372036854775809e", BencodeError::IntegerOverflow, 20},
        {"twenty-digit integer", "i99999999999999999999e", BencodeError::IntegerOverflow, 19},
        {"string length overflow", "99999999999999999999:", BencodeError::IntegerOverflow, 18},
        {"string past end", "5:abc", BencodeError::StringPastEnd, 0},
        {"string past end in list", "l5:abce", BencodeError::StringPastEnd, 1},
        {"huge string length", "9223372036854775807:a", BencodeError::StringPastEnd, 0},
        {"key past end", "d9:ae", BencodeError::StringPastEnd, 1},
        {"integer key", "di1ei2ee", BencodeError::NonStringKey, 1},
        {"list key", "dlei1ee", BencodeError::NonStringKey, 1},
        {"dictionary key", "ddei1ee", BencodeError::NonStringKey, 1},
        {"unsorted keys", "d1:bi1e1:ai2ee", BencodeError::UnsortedKeys, 7},
        {"longer key first", "d2:aai1e1:ai2ee", BencodeError::UnsortedKeys, 8},
        {"high byte before ascii", "d1:\x80i1e1:ai2ee", BencodeError::UnsortedKeys, 7},
        {"unsorted in nested dictionary", "d1:ad1:bi1e1:ai2eee", BencodeError::UnsortedKeys, 11},
        {"duplicate keys", "d1:ai1e1:ai2ee", BencodeError::DuplicateKey, 7},
        {"duplicate empty keys", "d0:i1e0:i2ee", BencodeError::DuplicateKey, 6},
        {"second value", "i1ei2e", BencodeError::TrailingData, 3},
        {"garbage after string", "4:spamx", BencodeError::TrailingData, 6},
        {"space after dictionary", "de ", BencodeError::TrailingData, 2},
        {"nesting 101", nested(101), BencodeError::TooDeep, 100},
        {"nesting 101 of dictionaries", QByteArray("d1:a").repeated(101) + "i1e" + QByteArray(101, 'e'),
         BencodeError::TooDeep, 400},
        {"nesting past a lower limit", "llleee", BencodeError::TooDeep, 2, depthLimit(2)},
        {"token limit in list", "li1ei2ei3ee", BencodeError::TooManyTokens, 7, tokenLimit(3)},
        {"token limit counts keys", "d1:ai1ee", BencodeError::TooManyTokens, 4, tokenLimit(2)},
        {"token limit at a key", "d1:ai1e1:bi2ee", BencodeError::TooManyTokens, 7, tokenLimit(3)},
    };
}

// A small document with every type, nested, shaped like a torrent.
QByteArray sampleDocument() {
    return QByteArray("d8:announce20:http://t.invalid/ann13:announce-listll3:a:1el3:b:2ee"
                      "4:infod5:filesld6:lengthi5e4:pathl1:a1:beed6:lengthi0e4:pathl1:ceee"
                      "4:name4:root12:piece lengthi16384e6:pieces20:") +
           QByteArray(20, '\0') + "e5:zzzzzi-7ee";
}

} // namespace

class TestBencode : public QObject {
    Q_OBJECT
private slots:
    void goodInput_roundTrips_data();
    void goodInput_roundTrips();
    void integers_decodeToTheirValues_data();
    void integers_decodeToTheirValues();
    void badInput_reportsKindAndOffset_data();
    void badInput_reportsKindAndOffset();
    void badInputTable_coversEveryErrorKind();
    void nestingAtTheLimit_decodes();
    void everyTruncation_failsCleanly();
    void mutatedDocuments_neverCrashAndStayCanonical();
    void rawSpan_coversExactlyTheInfoBytes();
    void rawSpan_ofNestedValues();
    void prefixDecode_reportsConsumedBytes();
    void encoder_sortsKeysByRawBytes();
    void encoder_writesEveryType();
    void errorStrings_areDistinctAndCarryTheOffset();
};

void TestBencode::goodInput_roundTrips_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::newRow("zero") << QByteArray("i0e");
    QTest::newRow("negative") << QByteArray("i-1e");
    QTest::newRow("int64 max") << QByteArray("i9223372036854775807e");
    QTest::newRow("int64 min") << QByteArray("i-9223372036854775808e");
    QTest::newRow("empty string") << QByteArray("0:");
    QTest::newRow("string") << QByteArray("4:spam");
    QTest::newRow("binary string") << QByteArrayLiteral("5:a\0\xff\x01z");
    QTest::newRow("string of digits and colons") << QByteArray("5:1:2:e");
    QTest::newRow("empty list") << QByteArray("le");
    QTest::newRow("empty dictionary") << QByteArray("de");
    QTest::newRow("list") << QByteArray("l4:spami42ee");
    QTest::newRow("dictionary") << QByteArray("d3:cow3:moo4:spam4:eggse");
    QTest::newRow("empty key") << QByteArray("d0:i1ee");
    QTest::newRow("prefix key sorts first") << QByteArray("d1:ai1e2:aai2ee");
    QTest::newRow("keys by raw bytes") << QByteArray("d1:Zi0e1:ai1e1:\x7fi2e1:\x80i3e1:\xffi4ee");
    QTest::newRow("nested") << QByteArray("d1:ald1:bleeee");
    QTest::newRow("nesting 100") << nested(100);
    QTest::newRow("torrent-shaped") << sampleDocument();
}

void TestBencode::goodInput_roundTrips() {
    QFETCH(QByteArray, input);
    const BencodeDecodeResult result = bencodeDecode(input);
    QVERIFY2(result.ok(), qPrintable(result.errorString()));
    QCOMPARE(result.errorOffset, qsizetype(-1));
    QCOMPARE(result.value->rawOffset(), qsizetype(0));
    QCOMPARE(result.value->rawLength(), input.size());
    QCOMPARE(bencodeEncode(*result.value), input);
}

void TestBencode::integers_decodeToTheirValues_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<qint64>("value");
    QTest::newRow("0") << QByteArray("i0e") << qint64(0);
    QTest::newRow("42") << QByteArray("i42e") << qint64(42);
    QTest::newRow("-42") << QByteArray("i-42e") << qint64(-42);
    QTest::newRow("max") << QByteArray("i9223372036854775807e") << std::numeric_limits<qint64>::max();
    QTest::newRow("min") << QByteArray("i-9223372036854775808e") << std::numeric_limits<qint64>::min();
}

void TestBencode::integers_decodeToTheirValues() {
    QFETCH(QByteArray, input);
    QFETCH(qint64, value);
    const BencodeDecodeResult result = bencodeDecode(input);
    QVERIFY2(result.ok(), qPrintable(result.errorString()));
    QVERIFY(result.value->isInteger());
    QCOMPARE(result.value->toInteger(), value);
}

void TestBencode::badInput_reportsKindAndOffset_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("maxDepth");
    QTest::addColumn<qsizetype>("maxTokens");
    QTest::addColumn<BencodeError>("error");
    QTest::addColumn<qsizetype>("offset");
    for (const BadInput& row : badInputs())
        QTest::newRow(row.name) << row.input << row.limits.maxDepth << row.limits.maxTokens << row.error
                                << row.offset;
}

void TestBencode::badInput_reportsKindAndOffset() {
    QFETCH(QByteArray, input);
    QFETCH(int, maxDepth);
    QFETCH(qsizetype, maxTokens);
    QFETCH(BencodeError, error);
    QFETCH(qsizetype, offset);
    BencodeLimits limits;
    limits.maxDepth = maxDepth;
    limits.maxTokens = maxTokens;
    const BencodeDecodeResult result = bencodeDecode(input, limits);
    QVERIFY(!result.ok());
    QVERIFY(!result.value);
    QCOMPARE(result.error, error);
    QCOMPARE(result.errorOffset, offset);
    QVERIFY(result.errorString().endsWith(QStringLiteral("(byte %1)").arg(offset)));
}

void TestBencode::badInputTable_coversEveryErrorKind() {
    QSet<int> covered;
    for (const BadInput& row : badInputs())
        covered.insert(int(row.error));
    for (int kind = int(BencodeError::UnexpectedEnd); kind <= int(BencodeError::TooManyTokens); ++kind)
        QVERIFY2(covered.contains(kind), qPrintable(bencodeErrorDescription(BencodeError(kind))));
}

void TestBencode::nestingAtTheLimit_decodes() {
    QVERIFY(bencodeDecode(nested(100)).ok());
    QVERIFY(bencodeDecode(QByteArray("d1:a").repeated(100) + "i1e" + QByteArray(100, 'e')).ok());
    QVERIFY(bencodeDecode("llee", depthLimit(2)).ok());
    // The exact token count passes; the token limit counts every value and every key.
    QVERIFY(bencodeDecode("li1ei2ei3ee", tokenLimit(4)).ok());
    QVERIFY(bencodeDecode("d1:ai1ee", tokenLimit(3)).ok());
}

void TestBencode::everyTruncation_failsCleanly() {
    const QByteArray document = sampleDocument();
    QVERIFY(bencodeDecode(document).ok());
    for (qsizetype length = 0; length < document.size(); ++length) {
        const QByteArray prefix = document.left(length);
        const BencodeDecodeResult result = bencodeDecode(prefix);
        const QByteArray context = "prefix of " + QByteArray::number(length) + " bytes";
        QVERIFY2(!result.ok(), context.constData());
        QVERIFY2(result.error == BencodeError::UnexpectedEnd || result.error == BencodeError::StringPastEnd,
                 QByteArray(context + ": " + result.errorString().toUtf8()).constData());
        QVERIFY2(result.errorOffset >= 0 && result.errorOffset <= length, context.constData());
        qsizetype consumed = -1;
        QVERIFY2(!bencodeDecodePrefix(prefix, &consumed).ok(), context.constData());
        QCOMPARE(consumed, qsizetype(-1));
    }
}

void TestBencode::mutatedDocuments_neverCrashAndStayCanonical() {
    // The strict decoder accepts only canonical input, so whatever it accepts must re-encode to itself.
    const QByteArray document = sampleDocument();
    const QByteArray alphabet("0123456789ilde:-x\xff");
    std::mt19937 rng(20240601);
    int accepted = 0;
    for (int round = 0; round < 20000; ++round) {
        QByteArray mutated = document;
        const int edits = 1 + int(rng() % 3);
        for (int e = 0; e < edits && !mutated.isEmpty(); ++e) {
            const qsizetype at = qsizetype(rng() % quint32(mutated.size()));
            const char byte = alphabet.at(qsizetype(rng() % quint32(alphabet.size())));
            switch (rng() % 3) {
            case 0:
                mutated[at] = byte;
                break;
            case 1:
                mutated.insert(at, byte);
                break;
            default:
                mutated.remove(at, 1);
                break;
            }
        }
        const BencodeDecodeResult result = bencodeDecode(mutated);
        if (result.ok()) {
            ++accepted;
            QCOMPARE(bencodeEncode(*result.value), mutated);
        } else {
            QVERIFY(result.errorOffset >= 0 && result.errorOffset <= mutated.size());
        }
    }
    QVERIFY(accepted > 0);
}

void TestBencode::rawSpan_coversExactlyTheInfoBytes() {
    const QByteArray document = sampleDocument();
    const BencodeDecodeResult result = bencodeDecode(document);
    QVERIFY2(result.ok(), qPrintable(result.errorString()));
    const BencodeValue* info = result.value->find("info");
    QVERIFY(info);
    const qsizetype start = document.indexOf("4:infod") + 6;
    const qsizetype end = document.indexOf("5:zzzzz");
    QCOMPARE(info->rawOffset(), start);
    QCOMPARE(info->rawLength(), end - start);
    const QByteArray raw = document.mid(info->rawOffset(), info->rawLength());
    QVERIFY(raw.startsWith("d5:files"));
    QVERIFY(raw.endsWith('e'));
    QCOMPARE(bencodeEncode(*info), raw);
}

void TestBencode::rawSpan_ofNestedValues() {
    const QByteArray document("d1:ali1e4:spamd1:xi-5eeee");
    const BencodeDecodeResult result = bencodeDecode(document);
    QVERIFY2(result.ok(), qPrintable(result.errorString()));
    const BencodeValue* list = result.value->find("a");
    QVERIFY(list && list->isList());
    QCOMPARE(list->rawOffset(), qsizetype(4));
    QCOMPARE(list->rawLength(), document.size() - 5);
    const BencodeValue::List& items = list->toList();
    QCOMPARE(items.size(), qsizetype(3));
    const QList<QByteArray> expected{"i1e", "4:spam", "d1:xi-5ee"};
    for (qsizetype i = 0; i < items.size(); ++i)
        QCOMPARE(document.mid(items.at(i).rawOffset(), items.at(i).rawLength()), expected.at(i));
    const BencodeValue* inner = items.at(2).find("x");
    QVERIFY(inner);
    QCOMPARE(document.mid(inner->rawOffset(), inner->rawLength()), QByteArray("i-5e"));
    QCOMPARE(BencodeValue(qint64(3)).rawOffset(), qsizetype(-1));
}

void TestBencode::prefixDecode_reportsConsumedBytes() {
    qsizetype consumed = -1;
    BencodeDecodeResult result = bencodeDecodePrefix("i1ei2e", &consumed);
    QVERIFY(result.ok());
    QCOMPARE(result.value->toInteger(), qint64(1));
    QCOMPARE(consumed, qsizetype(3));

    const QByteArray document = sampleDocument();
    result = bencodeDecodePrefix(document + "trailing bytes", &consumed);
    QVERIFY(result.ok());
    QCOMPARE(consumed, document.size());

    result = bencodeDecodePrefix("d1:bi1e1:ai2ee", &consumed);
    QCOMPARE(result.error, BencodeError::UnsortedKeys);
    QCOMPARE(result.errorOffset, qsizetype(7));
}

void TestBencode::encoder_sortsKeysByRawBytes() {
    BencodeValue dict = BencodeValue::dictionary();
    // Inserted out of order; bytes >= 0x80 must sort after ASCII, as unsigned bytes do.
    for (const QByteArray& key : {QByteArray("b"), QByteArray("\xff"), QByteArray("a"), QByteArray("\x80"),
                                  QByteArray("Z"), QByteArray("aa"), QByteArray(""), QByteArray("\x7f")})
        dict.insert(key, BencodeValue(qint64(key.size())));
    const QByteArray expected("d0:i0e1:Zi1e1:ai1e2:aai2e1:bi1e1:\x7fi1e1:\x80i1e1:\xffi1ee");
    const QByteArray encoded = bencodeEncode(dict);
    QCOMPARE(encoded, expected);
    const BencodeDecodeResult decoded = bencodeDecode(encoded);
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorString()));
    QVERIFY(*decoded.value == dict);
}

void TestBencode::encoder_writesEveryType() {
    BencodeValue list = BencodeValue::list();
    list.append(BencodeValue(std::numeric_limits<qint64>::min()));
    list.append(BencodeValue(QByteArrayLiteral("\0x")));
    list.append(BencodeValue::list());
    list.append(BencodeValue::dictionary());
    BencodeValue dict = BencodeValue::dictionary();
    dict.insert("k", list);
    QCOMPARE(bencodeEncode(dict), QByteArrayLiteral("d1:kli-9223372036854775808e2:\0xledeee"));
    QCOMPARE(bencodeEncode(BencodeValue(0)), QByteArray("i0e"));
    QCOMPARE(bencodeEncode(BencodeValue(QByteArray())), QByteArray("0:"));
}

void TestBencode::errorStrings_areDistinctAndCarryTheOffset() {
    QSet<QString> seen;
    for (int kind = int(BencodeError::None); kind <= int(BencodeError::TooManyTokens); ++kind) {
        const QString text = bencodeErrorDescription(BencodeError(kind));
        QVERIFY(!text.isEmpty());
        QVERIFY2(!seen.contains(text), qPrintable(text));
        seen.insert(text);
    }
    const BencodeDecodeResult result = bencodeDecode("i03e");
    QCOMPARE(result.errorString(), QStringLiteral("leading zero in number (byte 1)"));
}

QTEST_GUILESS_MAIN(TestBencode)
#include "tst_bencode.moc"
