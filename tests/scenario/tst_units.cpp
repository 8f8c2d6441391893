#include "TestScenario.h"

#include "scenario/Units.h"

#include <QTest>

#include <optional>

using namespace swarmscope;

using OptionalBytes = std::optional<qint64>;
Q_DECLARE_METATYPE(OptionalBytes)

void TestScenario::parseSize_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<OptionalBytes>("bytes");
    const OptionalBytes none;
    QTest::newRow("plain") << QStringLiteral("1000") << OptionalBytes(1000);
    QTest::newRow("zero") << QStringLiteral("0") << OptionalBytes(0);
    QTest::newRow("bytes") << QStringLiteral("512B") << OptionalBytes(512);
    QTest::newRow("KiB") << QStringLiteral("16KiB") << OptionalBytes(16 * 1024);
    QTest::newRow("MiB") << QStringLiteral("64MiB") << OptionalBytes(64 * 1024 * 1024);
    QTest::newRow("GiB") << QStringLiteral("1GiB") << OptionalBytes(1LL << 30);
    QTest::newRow("TiB") << QStringLiteral("2TiB") << OptionalBytes(2LL << 40);
    QTest::newRow("short binary") << QStringLiteral("4M") << OptionalBytes(4 * 1024 * 1024);
    QTest::newRow("decimal kB") << QStringLiteral("2kB") << OptionalBytes(2000);
    QTest::newRow("decimal MB") << QStringLiteral("3MB") << OptionalBytes(3'000'000);
    QTest::newRow("fraction") << QStringLiteral("1.5MiB") << OptionalBytes(1536 * 1024);
    QTest::newRow("spaces") << QStringLiteral(" 256 KiB ") << OptionalBytes(256 * 1024);
    QTest::newRow("negative") << QStringLiteral("-1MiB") << none;
    QTest::newRow("unknown unit") << QStringLiteral("5 megs") << none;
    QTest::newRow("lower-case unit") << QStringLiteral("5mib") << none;
    QTest::newRow("empty") << QString() << none;
    QTest::newRow("rate") << QStringLiteral("1MiB/s") << none;
    QTest::newRow("overflow") << QStringLiteral("99999999999TiB") << none;
    QTest::newRow("exponent") << QStringLiteral("1e6") << none;
}

void TestScenario::parseSize() {
    QFETCH(QString, text);
    QFETCH(OptionalBytes, bytes);
    QCOMPARE(swarmscope::parseSize(text), bytes);
}

void TestScenario::parseRate_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<OptionalBytes>("bytesPerSecond");
    QTest::newRow("unlimited") << QStringLiteral("0") << OptionalBytes(0);
    QTest::newRow("MiB/s") << QStringLiteral("1MiB/s") << OptionalBytes(1024 * 1024);
    QTest::newRow("without /s") << QStringLiteral("512KiB") << OptionalBytes(512 * 1024);
    QTest::newRow("B/s") << QStringLiteral("100B/s") << OptionalBytes(100);
    QTest::newRow("plain /s") << QStringLiteral("2048/s") << OptionalBytes(2048);
    QTest::newRow("per second spelled out") << QStringLiteral("1MiB/sec") << OptionalBytes();
    QTest::newRow("negative") << QStringLiteral("-5/s") << OptionalBytes();
}

void TestScenario::parseRate() {
    QFETCH(QString, text);
    QFETCH(OptionalBytes, bytesPerSecond);
    QCOMPARE(swarmscope::parseRate(text), bytesPerSecond);
}

void TestScenario::parseDuration_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<OptionalBytes>("milliseconds");
    const OptionalBytes none;
    QTest::newRow("ms") << QStringLiteral("250ms") << OptionalBytes(250);
    QTest::newRow("s") << QStringLiteral("30s") << OptionalBytes(30'000);
    QTest::newRow("fraction of s") << QStringLiteral("1.5s") << OptionalBytes(1500);
    QTest::newRow("quarter s") << QStringLiteral("0.25s") << OptionalBytes(250);
    QTest::newRow("tenths") << QStringLiteral("1.1s") << OptionalBytes(1100);
    QTest::newRow("min") << QStringLiteral("2min") << OptionalBytes(120'000);
    QTest::newRow("h") << QStringLiteral("1h") << OptionalBytes(3'600'000);
    QTest::newRow("spaces") << QStringLiteral(" 10 s ") << OptionalBytes(10'000);
    QTest::newRow("zero") << QStringLiteral("0") << OptionalBytes(0);
    QTest::newRow("zero with unit") << QStringLiteral("0ms") << OptionalBytes(0);
    QTest::newRow("longest") << QStringLiteral("8784h") << OptionalBytes(kMaxDurationMs);
    QTest::newRow("too long") << QStringLiteral("8785h") << none;
    QTest::newRow("no unit") << QStringLiteral("30") << none;
    QTest::newRow("finer than a millisecond") << QStringLiteral("0.5ms") << none;
    QTest::newRow("m is ambiguous") << QStringLiteral("5m") << none;
    QTest::newRow("sec") << QStringLiteral("5sec") << none;
    QTest::newRow("negative") << QStringLiteral("-1s") << none;
    QTest::newRow("compound") << QStringLiteral("1min30s") << none;
    QTest::newRow("empty") << QString() << none;
}

void TestScenario::parseDuration() {
    QFETCH(QString, text);
    QFETCH(OptionalBytes, milliseconds);
    QCOMPARE(swarmscope::parseDuration(text), milliseconds);
}

void TestScenario::parsePercentage() {
    QCOMPARE(swarmscope::parsePercentage(QStringLiteral("90%")), std::optional<double>(0.9));
    QCOMPARE(swarmscope::parsePercentage(QStringLiteral("12.5 %")), std::optional<double>(0.125));
    QCOMPARE(swarmscope::parsePercentage(QStringLiteral("100%")), std::optional<double>(1.0));
    QCOMPARE(swarmscope::parsePercentage(QStringLiteral("0.9")), std::optional<double>());
    QCOMPARE(swarmscope::parsePercentage(QStringLiteral("-5%")), std::optional<double>());
}

void TestScenario::exactFormats_parseBack() {
    QCOMPARE(formatSizeExact(262144), QStringLiteral("256KiB"));
    QCOMPARE(formatSizeExact(16LL << 20), QStringLiteral("16MiB"));
    QCOMPARE(formatSizeExact(1000), QStringLiteral("1000"));
    QCOMPARE(formatSizeExact(0), QStringLiteral("0"));
    QCOMPARE(formatRateExact(0), QStringLiteral("0"));
    QCOMPARE(formatRateExact(1 << 20), QStringLiteral("1MiB/s"));
    QCOMPARE(formatRateExact(1500), QStringLiteral("1500B/s"));
    QCOMPARE(formatDuration(0), QStringLiteral("0s"));
    QCOMPARE(formatDuration(250), QStringLiteral("250ms"));
    QCOMPARE(formatDuration(1500), QStringLiteral("1500ms"));
    QCOMPARE(formatDuration(90'000), QStringLiteral("90s"));
    QCOMPARE(formatDuration(120'000), QStringLiteral("2min"));
    QCOMPARE(formatDuration(7'200'000), QStringLiteral("2h"));
    for (qint64 v : {qint64(1), qint64(1023), qint64(1024), qint64(123'456'789), (qint64(1) << 40) + 1024,
                     qint64(5) << 40}) {
        QCOMPARE(swarmscope::parseSize(formatSizeExact(v)), std::optional<qint64>(v));
        QCOMPARE(swarmscope::parseRate(formatRateExact(v)), std::optional<qint64>(v));
    }
    for (qint64 ms :
         {qint64(1), qint64(999), qint64(1000), qint64(61'000), qint64(3'600'001), kMaxDurationMs})
        QCOMPARE(swarmscope::parseDuration(formatDuration(ms)), std::optional<qint64>(ms));
}

void TestScenario::formatSize_isForPeople() {
    QCOMPARE(formatSize(512), QStringLiteral("512 B"));
    QCOMPARE(formatSize(1536), QStringLiteral("1.50 KiB"));
    QCOMPARE(formatSize(16LL << 20), QStringLiteral("16.0 MiB"));
}
