#pragma once

#include <QElapsedTimer>
#include <QString>

namespace swarmscope::cli {

// Progress on stderr: a redrawn bar on a terminal, plain lines every 10% through a pipe, so logs stay short.
class ProgressReporter {
public:
    explicit ProgressReporter(const QString& label);
    ~ProgressReporter();

    // Thread-compatible: call from one thread. Cheap when called often; redraws at most 10 times a second.
    void update(qint64 done, qint64 total);
    void finish(const QString& summary = {});

    static bool stderrIsTerminal();

private:
    QString m_label;
    bool m_terminal;
    bool m_finished = false;
    int m_lastDecile = -1;
    qint64 m_lastDrawMs = -1000;
    QElapsedTimer m_clock;
};

} // namespace swarmscope::cli
