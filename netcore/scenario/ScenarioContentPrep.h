#pragma once

#include "metainfo/Metainfo.h"

#include <QString>

#include <functional>
#include <optional>

namespace swarmscope {

// The generated content is the same bytes for the same size, run after run (and the same torrent).
inline constexpr quint64 kGeneratedContentSeed = 1;

// What a lab shares: the torrent made from the content, and the directory its seeders serve from.
struct PreparedContent {
    Metainfo metainfo;
    QString dataPath;  // the file or folder that was hashed
    QString servedDir; // the directory that holds it under the torrent's name
};

struct ContentPrepResult {
    std::optional<PreparedContent> content;
    QString error;
    QString where;
    bool inputError = false; // the content named cannot be used (rather than a failure at run time)
    bool cancelled = false;

    bool ok() const { return content.has_value(); }
};

struct ContentPrepRequest {
    // Empty: generate `size` bytes of pseudo-random data into <workDir>/source/swarm-<size>.bin.
    QString path;
    qint64 size = 0;
    qint64 pieceSize = 0; // 0: automatic
    QString workDir;      // generated data, and a link under the torrent's name when sanitising renamed it
    QString createdBy;
    // Called while hashing with bytes done and total; returning false cancels.
    std::function<bool(qint64 done, qint64 total)> progress;
};

// Generates or takes the content, hashes it into a torrent (no date, so the same content gives the same
// torrent) and finds the directory seeders serve it from. `swarm` and scenario runs share it.
ContentPrepResult prepareContent(const ContentPrepRequest& request);

} // namespace swarmscope
