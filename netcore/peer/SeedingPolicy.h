#pragma once

#include <QString>
#include <QStringView>

#include <optional>

namespace swarmscope {

// Whom a seeding torrent uploads to. Seeding, nobody sends us anything, so BEP 3's tit-for-tat has nothing to
// rank by; clients choose their own rule (libtorrent calls these its seed choking algorithms).
enum class SeedingPolicy {
    // The peers holding the fewest pieces first, re-evaluated every seedingRechokeIntervalMs. A leecher that
    // got a piece from us gives way to one that has none, so the seed's bandwidth spreads distinct pieces
    // over many leechers early, in the spirit of BEP 16's super-seeding, and goes to the poorest peers late.
    FewestPiecesFirst,
    // The peers we upload to fastest, every rechokeIntervalMs: the rule of BEP 3's era.
    FastestUpload,
};

// Stable lower-case names for scenario files and results.
inline QString seedingPolicyName(SeedingPolicy policy) {
    switch (policy) {
    case SeedingPolicy::FewestPiecesFirst:
        return QStringLiteral("fewest-pieces");
    case SeedingPolicy::FastestUpload:
        return QStringLiteral("fastest-upload");
    }
    return {};
}

inline std::optional<SeedingPolicy> seedingPolicyFromName(QStringView name) {
    for (SeedingPolicy p : {SeedingPolicy::FewestPiecesFirst, SeedingPolicy::FastestUpload})
        if (name.compare(seedingPolicyName(p), Qt::CaseInsensitive) == 0)
            return p;
    return std::nullopt;
}

} // namespace swarmscope
