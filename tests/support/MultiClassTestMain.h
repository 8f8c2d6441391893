#pragma once

#include <QObject>

#include <functional>
#include <initializer_list>
#include <memory>

namespace swarmscope::testsupport {

using TestClassFactory = std::function<std::unique_ptr<QObject>()>;

// The main() of a suite made of several test classes: runs every class, or only those that have the test
// functions named on the command line, and returns the failures of all of them (1 when nothing matched).
// The caller creates the QCoreApplication (or QApplication) first.
int runTestClasses(int argc, char** argv, std::initializer_list<TestClassFactory> classes);

} // namespace swarmscope::testsupport
