#include "swarm/PseudoRandomFile.h"

#include <QByteArray>
#include <QSaveFile>

#include <cstring>

namespace swarmscope {

namespace {

// SplitMix64: fast, and every seed gives a good stream.
quint64 splitMix64(quint64& state) {
    quint64 z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

} // namespace

bool writePseudoRandomFile(const QString& path, qint64 size, quint64 seed, QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QStringLiteral("cannot create the file: %1 (%2)").arg(file.errorString(), path);
        return false;
    }
    constexpr qsizetype kChunk = 1 << 20;
    QByteArray chunk(kChunk, Qt::Uninitialized);
    quint64 state = seed;
    for (qint64 left = qMax<qint64>(0, size); left > 0;) {
        const qsizetype n = qsizetype(qMin<qint64>(left, kChunk));
        char* out = chunk.data();
        for (qsizetype i = 0; i < n; i += 8) {
            const quint64 word = splitMix64(state);
            std::memcpy(out + i, &word, size_t(qMin<qsizetype>(8, n - i)));
        }
        if (file.write(chunk.constData(), n) != n) {
            if (error)
                *error = QStringLiteral("cannot write the file: %1 (%2)").arg(file.errorString(), path);
            return false;
        }
        left -= n;
    }
    if (!file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write the file: %1 (%2)").arg(file.errorString(), path);
        return false;
    }
    return true;
}

} // namespace swarmscope
