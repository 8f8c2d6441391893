#include "metainfo/PieceSize.h"

namespace swarmscope {

qint64 automaticPieceLength(qint64 totalSize) {
    qint64 length = kMinPieceLength;
    while (length < kMaxAutomaticPieceLength &&
           totalSize / length + (totalSize % length != 0 ? 1 : 0) > kAutomaticPieceCountTarget)
        length *= 2;
    return length;
}

bool isValidPieceLength(qint64 length, QString* why) {
    QString problem;
    if (length <= 0 || (length & (length - 1)) != 0)
        problem = QStringLiteral("piece size must be a power of two, not %1").arg(formatByteSize(length));
    else if (length < kMinPieceLength)
        problem = QStringLiteral("piece size must be at least %1, not %2")
                      .arg(formatByteSize(kMinPieceLength), formatByteSize(length));
    else if (length > kMaxPieceLength)
        problem = QStringLiteral("piece size must be at most %1, not %2")
                      .arg(formatByteSize(kMaxPieceLength), formatByteSize(length));
    if (why)
        *why = problem;
    return problem.isEmpty();
}

QString formatByteSize(qint64 bytes) {
    static const char* const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes > 0 && bytes % 1024 == 0) {
        qint64 value = bytes / 1024;
        int unit = 0;
        while (unit < 3 && value % 1024 == 0) {
            value /= 1024;
            ++unit;
        }
        return QStringLiteral("%1 %2").arg(value).arg(QLatin1String(units[unit]));
    }
    return bytes == 1 ? QStringLiteral("1 byte") : QStringLiteral("%1 bytes").arg(bytes);
}

} // namespace swarmscope
