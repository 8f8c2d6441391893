#include "metainfo/Metainfo.h"

namespace swarmscope {

qint64 Metainfo::pieceSize(int index) const {
    if (index < 0 || index >= pieceCount())
        return 0;
    if (index == pieceCount() - 1)
        return totalSize - qint64(index) * pieceLength;
    return pieceLength;
}

QStringList Metainfo::trackers() const {
    QStringList out;
    for (const QStringList& tier : announceList)
        for (const QString& url : tier)
            if (!out.contains(url))
                out.append(url);
    if (out.isEmpty() && !announce.isEmpty())
        out.append(announce);
    return out;
}

} // namespace swarmscope
