#pragma once

#include <QObject>

// One test class, its slots implemented in one file per concern: units (tst_units.cpp).
class TestScenario : public QObject {
    Q_OBJECT
private slots:
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
};
