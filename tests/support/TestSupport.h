#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace swarmscope::testsupport {

// The shared fixtures folder, or an empty string when it is missing. Callers must fail, not skip, on empty:
// QVERIFY2(!dir.isEmpty(), ...).
QString fixturesDir();

// Full path of a program the project's set-up installs (aria2c, mktorrent, ...), or an empty string.
// Tests must fail, not skip, when this is empty.
QString requiredTool(const QString& name);

// The swarmscope executable under test (from the SWARMSCOPE_EXECUTABLE environment variable).
QString swarmscopeExecutable();

struct ProcessResult {
    int exitCode = -1;
    bool crashed = false;
    bool timedOut = false;
    QByteArray out;
    QByteArray err;
};

// Runs a program to completion with a time limit, feeding it no standard input.
ProcessResult runProcess(const QString& program, const QStringList& arguments, int timeoutMs = 120000,
                         const QString& workingDirectory = {});

// Writes size bytes of deterministic pseudo-random data to path.
bool writeRandomFile(const QString& path, qint64 size, quint32 seed = 1);

QByteArray readAll(const QString& path);

} // namespace swarmscope::testsupport
