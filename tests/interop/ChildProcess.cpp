#include "ChildProcess.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QTest>

#include <csignal>
#include <sys/prctl.h>

namespace swarmscope::interop {

namespace {

QString quoted(const QString& argument) {
    return argument.contains(u' ') || argument.isEmpty() ? u'\'' + argument + u'\'' : argument;
}

} // namespace

ChildProcess::ChildProcess(QString name, QString logDir)
    : m_name(std::move(name)), m_logDir(std::move(logDir)) {}

ChildProcess::~ChildProcess() {
    stop(2000);
}

QString ChildProcess::logPath(Channel channel) const {
    return QDir(m_logDir).filePath(m_name + (channel == Channel::Out ? u".out" : u".err"));
}

bool ChildProcess::start(const QString& program, const QStringList& arguments,
                         const QString& workingDirectory) {
    QStringList parts{quoted(program)};
    for (const QString& argument : arguments)
        parts.append(quoted(argument));
    m_commandLine = parts.join(u' ');
    if (!workingDirectory.isEmpty())
        m_process.setWorkingDirectory(workingDirectory);
    m_process.setStandardInputFile(QProcess::nullDevice());
    m_process.setStandardOutputFile(logPath(Channel::Out), QIODevice::Truncate);
    m_process.setStandardErrorFile(logPath(Channel::Err), QIODevice::Truncate);
    // If the test dies (a CTest time-out sends SIGKILL), the kernel ends the child too.
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process.start(program, arguments);
    return m_process.waitForStarted(10000);
}

QByteArray ChildProcess::output(Channel channel) const {
    QFile file(logPath(channel));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

std::optional<QByteArray> ChildProcess::waitForLine(Channel channel, const QRegularExpression& pattern,
                                                    int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        // Read the state before the output, so the last lines of a program that just exited are seen.
        const bool running = isRunning();
        const QList<QByteArray> lines = output(channel).split('\n');
        for (const QByteArray& line : lines) {
            if (pattern.match(QString::fromUtf8(line)).hasMatch())
                return line;
        }
        if (!running || deadline.hasExpired())
            return std::nullopt;
        QTest::qWait(25);
    }
}

bool ChildProcess::waitForExit(int timeoutMs) {
    if (!isRunning())
        return true;
    return m_process.waitForFinished(timeoutMs);
}

bool ChildProcess::exitedNormally() const {
    return m_process.state() == QProcess::NotRunning && m_process.exitStatus() == QProcess::NormalExit;
}

void ChildProcess::terminate() {
    if (isRunning())
        m_process.terminate();
}

void ChildProcess::stop(int graceMs) {
    if (!isRunning())
        return;
    m_process.terminate();
    if (m_process.waitForFinished(graceMs))
        return;
    m_process.kill();
    m_process.waitForFinished(5000);
}

QString ChildProcess::status() const {
    if (m_process.state() != QProcess::NotRunning)
        return m_name + QStringLiteral(": running");
    if (m_process.exitStatus() == QProcess::CrashExit)
        return m_name + QStringLiteral(": killed by a signal or crashed");
    return m_name + QStringLiteral(": exited with code %1").arg(m_process.exitCode());
}

QString ChildProcess::describe(int tailBytes) const {
    const auto tail = [tailBytes](const QByteArray& text) {
        return QString::fromUtf8(text.size() > tailBytes ? "..." + text.right(tailBytes) : text);
    };
    return QStringLiteral("--- %1\n    $ %2\n--- %3 stdout:\n%4\n--- %3 stderr:\n%5\n")
        .arg(status(), m_commandLine, m_name, tail(output(Channel::Out)), tail(output(Channel::Err)));
}

} // namespace swarmscope::interop
