#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <random>

namespace swarmscope::testsupport {

QString fixturesDir() {
    const QString dir = QStringLiteral(SWARMSCOPE_FIXTURES_DIR);
    return QFileInfo(dir).isDir() ? QDir(dir).absolutePath() : QString();
}

QString requiredTool(const QString& name) {
    return QStandardPaths::findExecutable(name);
}

QString swarmscopeExecutable() {
    const QString path = qEnvironmentVariable("SWARMSCOPE_EXECUTABLE");
    return QFileInfo(path).isExecutable() ? path : QString();
}

ProcessResult runProcess(const QString& program, const QStringList& arguments, int timeoutMs,
                         const QString& workingDirectory) {
    ProcessResult result;
    QProcess process;
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    process.setStandardInputFile(QProcess::nullDevice());
    process.start(program, arguments);
    if (!process.waitForStarted(10000)) {
        result.err = process.errorString().toUtf8();
        return result;
    }
    if (!process.waitForFinished(timeoutMs)) {
        result.timedOut = true;
        process.kill();
        process.waitForFinished(5000);
    }
    result.crashed = process.exitStatus() == QProcess::CrashExit;
    result.exitCode = process.exitCode();
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

bool writeRandomFile(const QString& path, qint64 size, quint32 seed) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    std::mt19937 rng(seed);
    QByteArray chunk(1 << 20, Qt::Uninitialized);
    qint64 left = size;
    while (left > 0) {
        const qint64 n = qMin<qint64>(left, chunk.size());
        auto* words = reinterpret_cast<quint32*>(chunk.data());
        for (qint64 i = 0; i < (n + 3) / 4; ++i)
            words[i] = rng();
        if (file.write(chunk.constData(), n) != n)
            return false;
        left -= n;
    }
    return true;
}

QByteArray readAll(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace swarmscope::testsupport
