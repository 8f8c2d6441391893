// The tracker's /torrents catalogue over HTTP: publish, list, fetch, find by name, and refusals.

#include "TrackerServerFixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::trackertest;

class TrackerCatalogueTest : public QObject, public TrackerServerFixture {
    Q_OBJECT
private slots:
    void catalogue_publishListFetchAndFindByName();
    void catalogue_rejectsInvalidTorrent_data();
    void catalogue_rejectsInvalidTorrent();
    void catalogue_rejectsOversizeTorrent();
    void catalogue_rejectsWrongTypeMethodAndEmptyBody();
    void routes_unknownPathsAndTorrentsAre404();
};

void TrackerCatalogueTest::catalogue_publishListFetchAndFindByName() {
    const auto server = startServer();
    QSignalSpy published(server.get(), &TrackerServer::torrentPublished);
    const QString torrents = server->baseUrl() + QStringLiteral("/torrents");
    const QByteArray sample =
        makeTorrent(QStringLiteral("sample.txt"), 100'000, 16384, server->announceUrl());
    const QByteArray other = makeTorrent(QStringLiteral("other.bin"), 5, 16384);

    HttpClientResponse http = httpPost(torrents, sample);
    QCOMPARE(http.status, 201);
    const QJsonObject created = QJsonDocument::fromJson(http.body).object();
    const QString sampleHash = created.value(QStringLiteral("info_hash")).toString();
    QCOMPARE(sampleHash.size(), 40);
    QCOMPARE(created.value(QStringLiteral("name")).toString(), QStringLiteral("sample.txt"));
    QCOMPARE(published.size(), 1);
    QCOMPARE(httpPost(torrents, sample).status, 200); // already there
    QCOMPARE(published.size(), 1);
    QCOMPARE(httpPost(torrents, other, "application/octet-stream").status, 201);

    // A seeder and a leecher on the sample make the list's counts move.
    const QByteArray rawHash = QByteArray::fromHex(sampleHash.toLatin1());
    announceOk(announceParams(rawHash, 1, 0));
    announceOk(announceParams(rawHash, 2, 10));

    http = httpGet(torrents);
    QCOMPARE(http.status, 200);
    const QJsonArray all = QJsonDocument::fromJson(http.body).array();
    QCOMPARE(all.size(), 2);
    const QJsonObject first = all.at(0).toObject();
    QCOMPARE(first.value(QStringLiteral("name")).toString(), QStringLiteral("sample.txt"));
    QCOMPARE(first.value(QStringLiteral("info_hash")).toString(), sampleHash);
    QCOMPARE(first.value(QStringLiteral("size")).toInteger(), 100'000);
    QCOMPARE(first.value(QStringLiteral("seeders")).toInteger(), 1);
    QCOMPARE(first.value(QStringLiteral("leechers")).toInteger(), 1);
    QCOMPARE(first.value(QStringLiteral("pieces")).toInteger(), 7);
    QCOMPARE(first.value(QStringLiteral("piece_length")).toInteger(), 16384);

    http = httpGet(torrents + QStringLiteral("?name=sample.txt"));
    const QJsonArray byName = QJsonDocument::fromJson(http.body).array();
    QCOMPARE(byName.size(), 1);
    QCOMPARE(byName.at(0).toObject().value(QStringLiteral("info_hash")).toString(), sampleHash);
    QCOMPARE(QJsonDocument::fromJson(httpGet(torrents + QStringLiteral("?name=nothing")).body).array().size(),
             0);

    http = httpGet(torrents + QLatin1Char('/') + sampleHash + QStringLiteral(".torrent"));
    QCOMPARE(http.status, 200);
    QCOMPARE(http.body, sample);
    http = httpGet(torrents + QLatin1Char('/') + sampleHash.toUpper() + QStringLiteral(".torrent"));
    QCOMPARE(http.body, sample);
}

void TrackerCatalogueTest::catalogue_rejectsInvalidTorrent_data() {
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("not bencode") << QByteArray("hello, tracker");
    QTest::newRow("a list") << QByteArray("li1ee");
    QTest::newRow("no info") << QByteArray("d8:announce3:urle");
    QTest::newRow("trailing bytes") << (makeTorrent(QStringLiteral("x"), 10) + "junk");
    QByteArray wrongPieces = makeTorrent(QStringLiteral("x"), 40000, 16384);
    wrongPieces.replace("6:pieces60:", "6:pieces40:");
    wrongPieces.remove(wrongPieces.indexOf("6:pieces40:") + 11, 20);
    QTest::newRow("pieces do not match the length") << wrongPieces;
}

void TrackerCatalogueTest::catalogue_rejectsInvalidTorrent() {
    QFETCH(QByteArray, body);
    const auto server = startServer();
    const HttpClientResponse http = httpPost(server->baseUrl() + QStringLiteral("/torrents"), body);
    QCOMPARE(http.status, 400);
    const QString error =
        QJsonDocument::fromJson(http.body).object().value(QStringLiteral("error")).toString();
    QVERIFY2(error.startsWith(QStringLiteral("invalid torrent: ")), qPrintable(error));
    QCOMPARE(server->catalogue().size(), 0);
}

void TrackerCatalogueTest::catalogue_rejectsOversizeTorrent() {
    const auto server = startServer();
    // Refused from the headers alone: the 8 MiB + 1 body is never sent.
    const QByteArray raw = rawExchange(server->serverPort(), "POST /torrents HTTP/1.1\r\nHost: t\r\n"
                                                             "Content-Type: application/x-bittorrent\r\n"
                                                             "Content-Length: 8388609\r\n\r\n");
    QCOMPARE(statusOf(raw), 413);
    QCOMPARE(QJsonDocument::fromJson(bodyOf(raw)).object().value(QStringLiteral("error")).toString(),
             QStringLiteral("request body too large"));

    TrackerServerConfig config;
    config.catalogueLimits.maxTorrentBytes = 1000;
    const auto small = startServer(config);
    const QByteArray big = makeTorrent(QStringLiteral("big.bin"), 100 * 16384);
    QVERIFY(big.size() > 1000);
    const HttpClientResponse http = httpPost(small->baseUrl() + QStringLiteral("/torrents"), big);
    QCOMPARE(http.status, 413);
    QCOMPARE(small->catalogue().size(), 0);
}

void TrackerCatalogueTest::catalogue_rejectsWrongTypeMethodAndEmptyBody() {
    const auto server = startServer();
    const QString torrents = server->baseUrl() + QStringLiteral("/torrents");
    const QByteArray torrent = makeTorrent(QStringLiteral("a.bin"), 10);
    HttpClientResponse http = httpPost(torrents, torrent, "text/html");
    QCOMPARE(http.status, 415);
    QCOMPARE(QJsonDocument::fromJson(http.body).object().value(QStringLiteral("error")).toString(),
             QStringLiteral("Content-Type must be application/x-bittorrent"));
    http = httpPost(torrents, QByteArray());
    QCOMPARE(http.status, 400);
    const QByteArray raw =
        rawExchange(server->serverPort(), "DELETE /torrents HTTP/1.1\r\nConnection: close\r\n\r\n");
    QCOMPARE(statusOf(raw), 405);
    QVERIFY(raw.contains("Allow: GET, POST"));
    QCOMPARE(server->catalogue().size(), 0);
}

void TrackerCatalogueTest::routes_unknownPathsAndTorrentsAre404() {
    const auto server = startServer();
    QCOMPARE(httpGet(server->baseUrl() + QStringLiteral("/nothing")).status, 404);
    QCOMPARE(httpGet(server->baseUrl() + QStringLiteral("/announce/")).status, 404);
    QCOMPARE(httpGet(server->baseUrl() + QStringLiteral("/torrents/") + QString(40, QLatin1Char('a')) +
                     QStringLiteral(".torrent"))
                 .status,
             404);
    QCOMPARE(httpGet(server->baseUrl() + QStringLiteral("/torrents/xyz.torrent")).status, 404);
    QCOMPARE(httpGet(server->baseUrl() + QStringLiteral("/")).status, 200);
}

QTEST_GUILESS_MAIN(TrackerCatalogueTest)
#include "tst_trackercatalogue.moc"
