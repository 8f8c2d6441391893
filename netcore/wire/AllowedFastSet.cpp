#include "wire/AllowedFastSet.h"

#include "metainfo/Sha1.h"

#include <QtEndian>

namespace swarmscope {

QList<int> allowedFastSet(quint32 ipv4, const QByteArray& infoHash, int pieceCount, int k) {
    QList<int> set;
    if (pieceCount <= 0 || k <= 0)
        return set;
    k = qMin(k, pieceCount);
    QByteArray x(4, Qt::Uninitialized);
    qToBigEndian(ipv4 & 0xffffff00u, x.data());
    x += infoHash;
    while (set.size() < k) {
        x = sha1(x);
        for (int i = 0; i < 5 && set.size() < k; ++i) {
            const quint32 y = qFromBigEndian<quint32>(x.constData() + 4 * i);
            const int index = int(y % quint32(pieceCount));
            if (!set.contains(index))
                set.append(index);
        }
    }
    return set;
}

} // namespace swarmscope
