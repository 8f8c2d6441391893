#pragma once

#include "tracker/HttpClient.h"

#include <QByteArray>
#include <QString>

namespace swarmscope::trackertest {

// A small valid single-file torrent; distinct names or sizes give distinct info-hashes.
QByteArray makeTorrent(const QString& name, qint64 size, qint64 pieceLength = 16 * 1024,
                       const QString& announce = QString());
// 20 bytes, distinct for distinct n: "-SS0001-" plus n in decimal, zero padded.
QByteArray peerIdFor(int n);
// 20 bytes with every kind of byte a query must escape.
QByteArray binaryInfoHash(quint8 seed);

// One HTTP exchange through the project's own client, waited for with an event loop.
HttpClientResponse httpGet(const QString& url, int timeoutMs = 10'000,
                           qsizetype maxResponseBytes = 16 * 1024 * 1024);
HttpClientResponse httpPost(const QString& url, const QByteArray& body,
                            const QByteArray& contentType = "application/x-bittorrent",
                            int timeoutMs = 10'000);

// Writes raw bytes to 127.0.0.1:port and returns everything the server sends until it closes the
// connection or timeoutMs passes.
QByteArray rawExchange(quint16 port, const QByteArray& request, int timeoutMs = 5'000);

// The status code of the first response in raw bytes, or 0.
int statusOf(const QByteArray& rawResponse);
// The body after the first blank line.
QByteArray bodyOf(const QByteArray& rawResponse);

} // namespace swarmscope::trackertest
