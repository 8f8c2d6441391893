#pragma once

#include <QByteArray>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <optional>

namespace swarmscope::interop {

// One program the test started: its standard output and error go to files in a log folder (so nothing is
// lost when the test fails and the logs are the evidence), and it is ended when this object dies,
// whatever the test's outcome: SIGTERM, a short grace period, then SIGKILL. The child also gets SIGKILL
// from the kernel if the test process itself dies first (a CTest time-out), so no peer is left behind.
class ChildProcess {
public:
    enum class Channel { Out, Err };

    ChildProcess(QString name, QString logDir);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    bool start(const QString& program, const QStringList& arguments, const QString& workingDirectory = {});

    const QString& name() const { return m_name; }
    qint64 pid() const { return m_process.processId(); }
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }

    // The whole of what the program has written so far (read back from its log file).
    QByteArray output(Channel channel) const;

    // Spins the event loop until a line of the channel matches, the program exits, or the time is up.
    // Returns the first matching line, without its line break.
    std::optional<QByteArray> waitForLine(Channel channel, const QRegularExpression& pattern, int timeoutMs);

    // Spins the event loop until the program exits or the time is up.
    bool waitForExit(int timeoutMs);
    bool exitedNormally() const;
    int exitCode() const { return m_process.exitCode(); }

    void terminate(); // SIGTERM: ask it to stop cleanly
    // SIGTERM, up to graceMs for it to go, then SIGKILL; returns once it is gone.
    void stop(int graceMs = 3000);

    // "name: running" or "name: exited with code N", short enough for a QVERIFY2 message (Qt Test cuts
    // long ones); describe() adds the command line and the last of stdout and stderr, for the log.
    QString status() const;
    QString describe(int tailBytes = 3000) const;

private:
    QString logPath(Channel channel) const;

    QString m_name;
    QString m_logDir;
    QString m_commandLine;
    QProcess m_process;
};

} // namespace swarmscope::interop
