#include "swarm/ProcessUsage.h"

#include <QByteArray>
#include <QFile>

#include <sys/resource.h>

namespace swarmscope {

namespace {

// "VmRSS:     12345 kB" -> bytes.
qint64 statusKilobytes(const QByteArray& status, const QByteArray& key) {
    const QByteArray needle = QByteArray("\n").append(key).append(':');
    const qsizetype at = status.indexOf(needle);
    if (at < 0)
        return -1;
    const qsizetype end = status.indexOf('\n', at + 1);
    const QByteArray field = status.mid(at + key.size() + 2, end < 0 ? -1 : end - at - key.size() - 2);
    bool ok = false;
    const qint64 kb = field.trimmed().split(' ').value(0).toLongLong(&ok);
    return ok ? kb * 1024 : -1;
}

} // namespace

ProcessUsage ProcessUsage::current() {
    ProcessUsage usage;
    QFile status(QStringLiteral("/proc/self/status"));
    if (status.open(QIODevice::ReadOnly)) {
        const QByteArray text = QByteArray("\n").append(status.readAll());
        usage.residentBytes = statusKilobytes(text, "VmRSS");
        usage.peakResidentBytes = statusKilobytes(text, "VmHWM");
    }
    rusage ru{};
    if (::getrusage(RUSAGE_SELF, &ru) == 0)
        usage.cpuSeconds = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                           double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    return usage;
}

} // namespace swarmscope
