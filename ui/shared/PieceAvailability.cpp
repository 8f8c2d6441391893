#include "shared/PieceAvailability.h"

#include <bit>
#include <vector>

namespace swarmscope::ui {

QList<int> availabilityHistogram(const SwarmSnapshot& snapshot, int torrent) {
    int pieces = 0;
    int peers = 0;
    for (const LabPeerSnapshot& p : snapshot.peers) {
        if (p.torrent == torrent) {
            pieces = qMax(pieces, p.have.size());
            ++peers;
        }
    }
    if (peers == 0)
        return {};
    std::vector<int> counts(size_t(pieces), 0);
    for (const LabPeerSnapshot& p : snapshot.peers) {
        if (p.torrent != torrent || p.have.size() != pieces)
            continue;
        // Byte by byte, set bits only: a mostly empty or mostly full bitfield costs little either way.
        const QByteArray& bytes = p.have.toWire();
        for (qsizetype i = 0; i < bytes.size(); ++i) {
            unsigned byte = uchar(bytes[i]);
            while (byte != 0) {
                const int bit = 7 - (std::countr_zero(byte));
                ++counts[size_t(i * 8 + bit)];
                byte &= byte - 1;
            }
        }
    }
    QList<int> histogram(peers + 1, 0);
    for (int c : counts)
        ++histogram[qMin(c, peers)];
    return histogram;
}

} // namespace swarmscope::ui
