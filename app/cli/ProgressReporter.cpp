#include "cli/ProgressReporter.h"

#include "scenario/Units.h"

#include <cstdio>
#include <unistd.h>

namespace swarmscope::cli {

ProgressReporter::ProgressReporter(const QString& label) : m_label(label), m_terminal(stderrIsTerminal()) {
    m_clock.start();
}

ProgressReporter::~ProgressReporter() {
    if (!m_finished && m_terminal && m_lastDecile >= 0)
        std::fputs("\n", stderr);
}

bool ProgressReporter::stderrIsTerminal() {
    return ::isatty(STDERR_FILENO) == 1;
}

void ProgressReporter::update(qint64 done, qint64 total) {
    if (total <= 0)
        return;
    const double fraction = qBound(0.0, double(done) / double(total), 1.0);
    const qint64 nowMs = m_clock.elapsed();
    if (m_terminal) {
        if (nowMs - m_lastDrawMs < 100 && done < total)
            return;
        m_lastDrawMs = nowMs;
        m_lastDecile = 0;
        const int width = 30;
        const int filled = int(fraction * width);
        const double seconds = qMax<qint64>(nowMs, 1) / 1000.0;
        const QString line =
            QStringLiteral("\r%1 [%2%3] %4% %5/%6 %7/s ")
                .arg(m_label)
                .arg(QString(filled, u'#'))
                .arg(QString(width - filled, u'.'))
                .arg(int(fraction * 100), 3)
                .arg(formatSize(done), formatSize(total), formatSize(qint64(done / seconds)));
        std::fputs(line.toUtf8().constData(), stderr);
        std::fflush(stderr);
    } else {
        const int decile = int(fraction * 10);
        if (decile == m_lastDecile)
            return;
        m_lastDecile = decile;
        std::fprintf(stderr, "%s: %d%% (%s of %s)\n", m_label.toUtf8().constData(), decile * 10,
                     formatSize(done).toUtf8().constData(), formatSize(total).toUtf8().constData());
        std::fflush(stderr);
    }
}

void ProgressReporter::finish(const QString& summary) {
    if (m_finished)
        return;
    m_finished = true;
    if (m_terminal && m_lastDecile >= 0)
        std::fputs("\n", stderr);
    if (!summary.isEmpty())
        std::fprintf(stderr, "%s\n", summary.toUtf8().constData());
    std::fflush(stderr);
}

} // namespace swarmscope::cli
