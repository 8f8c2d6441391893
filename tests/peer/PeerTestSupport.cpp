#include "PeerTestSupport.h"

#include "TestSupport.h"
#include "metainfo/TorrentCreator.h"
#include "peer/TorrentSession.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QSignalSpy>
#include <QTest>

namespace swarmscope::peertest {

TorrentFixture makeTorrent(const QString& dir, const QString& name, qint64 size, qint64 pieceLength,
                           quint32 seed) {
    TorrentFixture fixture;
    QDir().mkpath(dir);
    fixture.path = dir + u'/' + name;
    if (!testsupport::writeRandomFile(fixture.path, size, seed))
        return fixture;
    TorrentCreateOptions options;
    options.path = fixture.path;
    options.pieceLength = pieceLength;
    options.includeDate = false;
    TorrentCreator creator(options);
    const TorrentCreateResult created = creator.run();
    if (!created.ok())
        return fixture;
    MetainfoParseResult parsed = parseMetainfo(created.torrent);
    if (!parsed.ok())
        return fixture;
    fixture.metainfo = *parsed.metainfo;
    fixture.ok = true;
    return fixture;
}

EventLog::EventLog(Client* client) : QObject(client) {
    connect(client, &Client::peerEvent, this, [this](const PeerEvent& event) { events.append(event); });
}

int EventLog::count(PeerEventKind kind) const {
    int n = 0;
    for (const PeerEvent& e : events)
        n += e.kind == kind ? 1 : 0;
    return n;
}

QString EventLog::firstReason(PeerEventKind kind) const {
    for (const PeerEvent& e : events)
        if (e.kind == kind)
            return e.reason;
    return {};
}

QString EventLog::dump() const {
    QStringList lines;
    for (const PeerEvent& e : events)
        lines.append(QStringLiteral("%1 ms ").arg(e.timeMs) + peerEventKindName(e.kind) +
                     QStringLiteral(" #%1 piece %2: %3").arg(e.connectionId).arg(e.piece).arg(e.reason));
    return lines.join(u'\n');
}

std::unique_ptr<Client> makeClient(const ClientConfig& base) {
    ClientConfig config = base;
    config.listenAddress = QHostAddress::LocalHost;
    config.listenPort = 0;
    config.limits.reconnectDelayMs = 500;
    auto client = std::make_unique<Client>(config);
    if (!client->listen())
        return nullptr;
    return client;
}

bool stopClient(Client* client, int timeoutMs) {
    if (client->isStopped())
        return true;
    QSignalSpy spy(client, &Client::stopped);
    client->stop();
    return spy.wait(timeoutMs) || client->isStopped();
}

TorrentSession* addSeeder(Client* client, const TorrentFixture& fixture, const QString& dir) {
    TorrentSession* session = client->addTorrent(seederParams(fixture, dir));
    if (!session)
        return nullptr;
    QDeadlineTimer deadline(5000);
    while (session->state() != TorrentState::Seeding && !deadline.hasExpired())
        QTest::qWait(5);
    return session->state() == TorrentState::Seeding ? session : nullptr;
}

AddTorrentParams seederParams(const TorrentFixture& fixture, const QString& dir) {
    AddTorrentParams params;
    params.metainfo = fixture.metainfo;
    params.role = TorrentRole::Seeder;
    params.downloadDir = dir;
    return params;
}

AddTorrentParams leecherParams(const TorrentFixture& fixture, const QString& dir, const Client& from) {
    AddTorrentParams params;
    params.metainfo = fixture.metainfo;
    params.role = TorrentRole::Leecher;
    params.downloadDir = dir;
    params.peers.append({QHostAddress(QHostAddress::LocalHost), from.listenPort()});
    return params;
}

} // namespace swarmscope::peertest
