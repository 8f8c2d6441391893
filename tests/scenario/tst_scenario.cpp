#include "TestScenario.h"

#include <QTest>

QTEST_GUILESS_MAIN(TestScenario)
