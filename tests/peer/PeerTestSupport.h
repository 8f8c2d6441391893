#pragma once

#include "metainfo/Metainfo.h"
#include "peer/Client.h"
#include "peer/PeerEvent.h"

#include <QList>
#include <QString>

#include <memory>

namespace swarmscope::peertest {

// A file of deterministic random bytes in dir and its parsed torrent (no tracker).
struct TorrentFixture {
    QString path; // the data file
    Metainfo metainfo;
    bool ok = false;
};
TorrentFixture makeTorrent(const QString& dir, const QString& name, qint64 size, qint64 pieceLength,
                           quint32 seed = 1);

// Every event a client reports, in order.
class EventLog : public QObject {
    Q_OBJECT
public:
    explicit EventLog(Client* client);
    QList<PeerEvent> events;
    int count(PeerEventKind kind) const;
    // The reason of the first event of kind, or an empty string.
    QString firstReason(PeerEventKind kind) const;
    QString dump() const; // for failure messages
};

// A client listening on 127.0.0.1:0 with short timers for tests.
std::unique_ptr<Client> makeClient(const ClientConfig& base = {});

// Stops a client and waits for stopped().
bool stopClient(Client* client, int timeoutMs = 5000);

// Adds a seeder torrent and waits until its data is verified and it accepts peers; null on failure.
TorrentSession* addSeeder(Client* client, const TorrentFixture& fixture, const QString& dir);
AddTorrentParams seederParams(const TorrentFixture& fixture, const QString& dir);
AddTorrentParams leecherParams(const TorrentFixture& fixture, const QString& dir, const Client& from);

} // namespace swarmscope::peertest
