// A scenario's variant for the compare view: one setting changed in every group (or the piece size), every
// other field as it was, and values out of range refused with a sentence naming the range.
#include "scenario/ScenarioParser.h"
#include "scenario/ScenarioVariant.h"

#include <QTest>

using namespace swarmscope;

namespace {

// Two groups that differ in every setting, so a variant that misses a group shows.
const char* const kScenario = R"(
format = 1
name = "variant"

[content]
size = "1MiB"
piece-size = "32KiB"

[time]
mode = "simulated"
seed = 3

[groups.seeder]
role = "seeder"
count = 1
up = "1MiB/s"
latency = "10ms"

[groups.leechers]
role = "leecher"
count = 4
up = "256KiB/s"
down = "2MiB/s"
latency = "30ms"
picker = "sequential"
choker = false

[[actions]]
at = "5s"
do = "set-picker"
target = "leechers"
picker = "random"
)";

Scenario base() {
    const ScenarioParseResult r = parseScenario(kScenario, QStringLiteral("variant.toml"), QString());
    if (!r.ok())
        qFatal("%s", qPrintable(r.message()));
    return *r.scenario;
}

} // namespace

class TestScenarioVariant : public QObject {
    Q_OBJECT
private slots:
    void settingNames_roundTrip() {
        for (VariantSetting s : variantSettings()) {
            QCOMPARE(variantSettingFromName(variantSettingName(s)), s);
            QVERIFY(!variantSettingTitle(s).isEmpty());
        }
        QCOMPARE(variantSettingFromName(u"PIECE-SIZE"), VariantSetting::PieceSize);
        QVERIFY(!variantSettingFromName(u"seeders"));
    }

    void value_readsEveryGroup() {
        const Scenario s = base();
        QCOMPARE(variantValue(s, VariantSetting::Picker), QStringLiteral("rarest-first / sequential"));
        QCOMPARE(variantValue(s, VariantSetting::Choker), QStringLiteral("on / off"));
        QCOMPARE(variantValue(s, VariantSetting::Latency), QStringLiteral("10ms / 30ms"));
        QCOMPARE(variantValue(s, VariantSetting::UploadCap), QStringLiteral("1MiB/s / 256KiB/s"));
        QCOMPARE(variantValue(s, VariantSetting::DownloadCap), QStringLiteral("0 / 2MiB/s"));
        QCOMPARE(variantValue(s, VariantSetting::PieceSize), QStringLiteral("32KiB"));
    }

    void apply_changesOnlyThatSetting_data() {
        QTest::addColumn<QString>("setting");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("readBack");
        QTest::newRow("picker") << "picker"
                                << "random"
                                << "random";
        QTest::newRow("picker, any case") << "picker"
                                          << "Rarest-First"
                                          << "rarest-first";
        QTest::newRow("choker off") << "choker"
                                    << "off"
                                    << "off";
        QTest::newRow("choker on") << "choker"
                                   << "on"
                                   << "on";
        QTest::newRow("latency") << "latency"
                                 << "200ms"
                                 << "200ms";
        QTest::newRow("latency 0") << "latency"
                                   << "0ms"
                                   << "0s";
        QTest::newRow("upload cap") << "up"
                                    << "64KiB/s"
                                    << "64KiB/s";
        QTest::newRow("upload unlimited") << "up"
                                          << "0"
                                          << "0";
        QTest::newRow("download cap") << "down"
                                      << "512KiB/s"
                                      << "512KiB/s";
        QTest::newRow("piece size") << "piece-size"
                                    << "128KiB"
                                    << "128KiB";
    }
    void apply_changesOnlyThatSetting() {
        QFETCH(QString, setting);
        QFETCH(QString, value);
        QFETCH(QString, readBack);
        const VariantSetting which = *variantSettingFromName(setting);
        const Scenario before = base();
        Scenario s = before;
        QString error;
        QVERIFY2(applyVariant(s, which, value, &error), qPrintable(error));
        QVERIFY(error.isEmpty());
        QCOMPARE(variantValue(s, which), readBack);
        // Everything else is as it was: put the one setting back and the scenarios are equal.
        Scenario restored = s;
        if (which == VariantSetting::PieceSize) {
            restored.content.pieceSize = before.content.pieceSize;
        } else {
            for (int g = 0; g < restored.groups.size(); ++g) {
                ScenarioGroup& r = restored.groups[g];
                const ScenarioGroup& b = before.groups.at(g);
                r.picker = b.picker;
                r.choker = b.choker;
                r.link.latencyMs = b.link.latencyMs;
                r.link.uploadRate = b.link.uploadRate;
                r.link.downloadRate = b.link.downloadRate;
            }
        }
        QCOMPARE(restored, before);
        QCOMPARE(s.actions, before.actions);
    }

    void apply_setsEveryGroup() {
        Scenario s = base();
        QVERIFY(applyVariant(s, VariantSetting::Picker, QStringLiteral("random")));
        for (const ScenarioGroup& g : s.groups)
            QCOMPARE(g.picker, PickerStrategy::Random);
        QVERIFY(applyVariant(s, VariantSetting::Latency, QStringLiteral("1.5s")));
        for (const ScenarioGroup& g : s.groups)
            QCOMPARE(g.link.latencyMs, 1500);
        QCOMPARE(s.groups.at(1).link.jitterMs, base().groups.at(1).link.jitterMs);
    }

    void apply_refusesOutOfRange_data() {
        QTest::addColumn<QString>("setting");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("says");
        QTest::newRow("unknown picker") << "picker"
                                        << "endgame"
                                        << "rarest-first, random or sequential";
        QTest::newRow("empty picker") << "picker"
                                      << ""
                                      << "rarest-first, random or sequential";
        QTest::newRow("choker yes") << "choker"
                                    << "yes"
                                    << "on or off";
        QTest::newRow("latency without unit") << "latency"
                                              << "20"
                                              << "from 0ms to 1min";
        QTest::newRow("latency over a minute") << "latency"
                                               << "61s"
                                               << "from 0ms to 1min";
        QTest::newRow("negative latency") << "latency"
                                          << "-5ms"
                                          << "from 0ms to 1min";
        QTest::newRow("cap below 1 KiB/s") << "up"
                                           << "100"
                                           << "from 1KiB/s";
        QTest::newRow("cap not a rate") << "down"
                                        << "fast"
                                        << "0 (unlimited)";
        QTest::newRow("piece size not a power of two") << "piece-size"
                                                       << "48KiB"
                                                       << "power of two";
        QTest::newRow("piece size too small") << "piece-size"
                                              << "8KiB"
                                              << "16KiB to 16MiB";
        QTest::newRow("piece size too large") << "piece-size"
                                              << "32MiB"
                                              << "16KiB to 16MiB";
        QTest::newRow("piece size zero") << "piece-size"
                                         << "0"
                                         << "power of two";
    }
    void apply_refusesOutOfRange() {
        QFETCH(QString, setting);
        QFETCH(QString, value);
        QFETCH(QString, says);
        const Scenario before = base();
        Scenario s = before;
        QString error;
        QVERIFY(!applyVariant(s, *variantSettingFromName(setting), value, &error));
        QVERIFY2(error.contains(says), qPrintable(error));
        QVERIFY2(error.contains(u'\'' + value + u'\''), qPrintable(error));
        QCOMPARE(s, before);
    }
};

QTEST_GUILESS_MAIN(TestScenarioVariant)
#include "tst_scenariovariant.moc"
