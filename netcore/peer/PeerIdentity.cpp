#include "peer/PeerIdentity.h"

#include <QRandomGenerator>

namespace swarmscope {

QByteArray makePeerId(quint64 seed) {
    static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    QRandomGenerator generator = seed == 0 ? QRandomGenerator(QRandomGenerator::system()->generate())
                                           : QRandomGenerator(quint32(seed ^ (seed >> 32)));
    QByteArray id(kPeerIdPrefix);
    while (id.size() < 20)
        id.append(kAlphabet[generator.bounded(int(sizeof(kAlphabet) - 1))]);
    return id;
}

QString clientName() {
    return QStringLiteral("Swarmscope " SWARMSCOPE_VERSION);
}

} // namespace swarmscope
