#pragma once

#include "TrackerTestUtil.h"

#include "tracker/AnnounceResponse.h"
#include "tracker/TrackerServer.h"

#include <QByteArray>
#include <QList>
#include <QPair>

#include <memory>

namespace swarmscope::trackertest {

// Announce parameters as raw bytes; query() percent-encodes them.
using Params = QList<QPair<QByteArray, QByteArray>>;

// A valid announce of peer n (peer_id peerIdFor(n), port 20000 + n) with compact=1.
Params announceParams(const QByteArray& infoHash, int peer, qint64 left, const QByteArray& event = {});
QByteArray query(const Params& params);
Params with(Params params, const QByteArray& key, const QByteArray& value);
Params without(Params params, const QByteArray& key);
// The bencoded failure reason of a tracker answer, or a marker when the body does not parse.
QByteArray failureReason(const QByteArray& body);

// A TrackerServer on 127.0.0.1 port 0 whose clock reads m_now, plus announces over real HTTP.
class TrackerServerFixture {
protected:
    std::unique_ptr<TrackerServer> startServer(TrackerServerConfig config = {});
    HttpClientResponse announce(const Params& params);
    // The parsed answer of an announce that must succeed; an empty response (and a warning) otherwise.
    AnnounceResponse announceOk(const Params& params);

    qint64 m_now = 1'000'000;

private:
    TrackerServer* m_server = nullptr;
};

} // namespace swarmscope::trackertest
