#pragma once

#include "scenario/ScenarioParser.h"

#include <QDir>
#include <QObject>
#include <QStringList>
#include <QTemporaryDir>

// One test class, its slots implemented in one file per concern: good files and examples (tst_scenario.cpp),
// broken files (tst_badscenarios.cpp), the writer (tst_roundtrip.cpp) and units (tst_units.cpp).
class TestScenario : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();

    // tst_scenario.cpp
    void minimalFile_usesDefaults();
    void fullFile_readsEveryKey();
    void groups_keepFileOrder();
    void contentPaths_resolveAgainstBaseDir();
    void shippedExamples_parse();
    void shippedExamples_appearInTheSpecification();
    void specificationExamples_parse();
    void readScenarioFile_namesTheFileInErrors();
    void readScenarioFile_refusesLargeFileBeforeReading();

    // tst_badscenarios.cpp
    void brokenScenario_givesWhatAndWhere_data();
    void brokenScenario_givesWhatAndWhere();
    void limits_areConfigurable();
    void mutatedScenarios_neverCrash();

    // tst_roundtrip.cpp
    void examples_roundTrip_data();
    void examples_roundTrip();
    void generatedScenarios_roundTrip();
    void awkwardStrings_roundTrip();
    void writtenFile_isCommented();

    // tst_units.cpp
    void parseSize_data();
    void parseSize();
    void parseRate_data();
    void parseRate();
    void parseDuration_data();
    void parseDuration();
    void parsePercentage();
    void exactFormats_parseBack();
    void formatSize_isForPeople();

private:
    QTemporaryDir m_dir; // the base folder of content paths: data.bin, empty.bin and sub/ inside
};

namespace scenariotest {

// The scenarios shipped in resources/scenarios/, by absolute path.
inline QStringList shippedExamples() {
    const QDir dir(QStringLiteral(SWARMSCOPE_SOURCE_DIR "/resources/scenarios"));
    QStringList paths;
    for (const QString& name : dir.entryList({QStringLiteral("*.toml")}, QDir::Files, QDir::Name))
        paths << dir.absoluteFilePath(name);
    return paths;
}

// Parsed as "scenario.toml" in baseDir.
inline swarmscope::ScenarioParseResult parseText(const QByteArray& toml, const QString& baseDir) {
    return swarmscope::parseScenario(toml, QStringLiteral("scenario.toml"), baseDir);
}

} // namespace scenariotest
