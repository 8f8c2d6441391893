#pragma once

#include "tracker/HttpClient.h"
#include "tracker/ScrapeResponse.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <functional>
#include <optional>

namespace swarmscope::interop {

class ChildProcess;

// A TCP or UDP port on 127.0.0.1 that was free a moment ago (bound to port 0 and released). For the
// third-party programs that must be told a port; our own take "127.0.0.1:0" and report theirs.
quint16 freeTcpPort();
quint16 freeUdpPort();

// SHA-1 of a file's bytes, hex; empty when it cannot be read.
QByteArray fileSha1(const QString& path);

// `swarmscope create DATA -o TORRENT --piece-size SIZE [--tracker URL]`; returns the 40-digit hex
// info-hash it printed, or nothing with the reason in *error.
std::optional<QByteArray> createTorrent(const QString& data, const QString& torrent, const QString& pieceSize,
                                        const QString& tracker, QString* error);

// One GET with a deadline (HttpClient under a local event loop).
HttpClientResponse httpGet(const QString& url, int timeoutMs = 3000);

// One BEP 48 scrape of announceUrl's tracker for one torrent (infoHash: 20 raw bytes); nothing, with the
// reason in *error, when the tracker cannot be reached, answers badly or does not know the torrent.
std::optional<ScrapeCounts> scrape(const QString& announceUrl, const QByteArray& infoHash, QString* error);

// Scrapes every 100 ms until accept() holds or the time is up; *last gets the last answer or error.
bool waitForScrape(const QString& announceUrl, const QByteArray& infoHash,
                   const std::function<bool(const ScrapeCounts&)>& accept, int timeoutMs, QString* last);
QString toString(const ScrapeCounts& counts);

// Debian's Python with its python3-libtorrent, which the set-up installs: "/usr/bin/python3", or an
// empty string with the reason in *error (the tests then fail, never skip).
QString pythonWithLibtorrent(QString* error);
// tests/interop/lt_peer.py in the source tree.
QString libtorrentPeerScript();

// The JSON lines lt_peer.py writes on stdout, in order; the last one whose "event" is event (any event
// when empty); ...
QList<QJsonObject> jsonEvents(const ChildProcess& process);
std::optional<QJsonObject> lastJsonEvent(const ChildProcess& process, const QString& event = {});
// ... and a wait, spinning the event loop, for the first line that satisfies accept.
std::optional<QJsonObject>
waitForJsonEvent(ChildProcess& process, const std::function<bool(const QJsonObject&)>& accept, int timeoutMs);

} // namespace swarmscope::interop
