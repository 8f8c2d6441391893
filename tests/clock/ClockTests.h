#pragma once

#include "clock/SimTime.h"

#include <QObject>
#include <QTest>

#include <memory>

namespace swarmscope {

// The test classes of the suite, one per file; tst_main.cpp runs them all in one executable.
std::unique_ptr<QObject> createEventQueueTests();
std::unique_ptr<QObject> createSimSchedulerTests();
std::unique_ptr<QObject> createTimerTests();
std::unique_ptr<QObject> createRealSchedulerTests();
std::unique_ptr<QObject> createSimPacerTests();

} // namespace swarmscope

// QCOMPARE of two instants prints them in microseconds.
template <> inline char* QTest::toString(const swarmscope::SimTime& t) {
    return qstrdup(QByteArray::number(qint64(t.count())).append(" us").constData());
}
