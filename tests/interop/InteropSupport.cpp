#include "InteropSupport.h"

#include "ChildProcess.h"
#include "TestSupport.h"

#include "metainfo/PercentEncoding.h"
#include "tracker/HttpClient.h"
#include "tracker/HttpUrl.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>
#include <QTimer>
#include <QUdpSocket>

namespace swarmscope::interop {

quint16 freeTcpPort() {
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

quint16 freeUdpPort() {
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    return probe.localPort();
}

QByteArray fileSha1(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha1);
    if (!hash.addData(&file))
        return {};
    return hash.result().toHex();
}

std::optional<QByteArray> createTorrent(const QString& data, const QString& torrent, const QString& pieceSize,
                                        const QString& tracker, QString* error) {
    QStringList args{QStringLiteral("create"),       data,     QStringLiteral("-o"), torrent,
                     QStringLiteral("--piece-size"), pieceSize};
    if (!tracker.isEmpty())
        args << QStringLiteral("--tracker") << tracker;
    const testsupport::ProcessResult result =
        testsupport::runProcess(testsupport::swarmscopeExecutable(), args, 60000);
    const QRegularExpressionMatch match =
        QRegularExpression(QStringLiteral("info-hash: ([0-9a-f]{40})")).match(QString::fromUtf8(result.out));
    if (result.exitCode != 0 || result.crashed || !match.hasMatch()) {
        *error = QStringLiteral("swarmscope create failed (exit %1): %2 %3")
                     .arg(result.exitCode)
                     .arg(QString::fromUtf8(result.out), QString::fromUtf8(result.err));
        return std::nullopt;
    }
    return match.captured(1).toLatin1();
}

HttpClientResponse httpGet(const QString& url, int timeoutMs) {
    HttpClientRequest request;
    request.url = url;
    request.timeoutMs = timeoutMs;
    HttpClientResponse response;
    response.error = QStringLiteral("no answer in %1 ms").arg(timeoutMs + 1000);
    QEventLoop loop;
    QObject context;
    HttpClient::fetch(request, &context, [&](const HttpClientResponse& r) {
        response = r;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs + 1000, &loop, &QEventLoop::quit); // HttpClient has its own limit
    loop.exec();
    return response;
}

std::optional<ScrapeCounts> scrape(const QString& announceUrl, const QByteArray& infoHash, QString* error) {
    const std::optional<QString> scrapeUrl = scrapeUrlFor(announceUrl);
    if (!scrapeUrl) {
        *error = QStringLiteral("no scrape URL for %1").arg(announceUrl);
        return std::nullopt;
    }
    const QString url = appendQuery(*scrapeUrl, "info_hash=" + percentEncode(infoHash));
    const HttpClientResponse response = httpGet(url);
    if (!response.ok) {
        *error = QStringLiteral("scrape %1: %2").arg(url, response.error);
        return std::nullopt;
    }
    const ScrapeResponseParseResult parsed = parseScrapeResponse(response.body);
    if (!parsed.ok()) {
        *error = QStringLiteral("scrape %1: HTTP %2, %3: %4")
                     .arg(url)
                     .arg(response.status)
                     .arg(parsed.error, QString::fromLatin1(response.body.left(300).toPercentEncoding()));
        return std::nullopt;
    }
    const auto it = parsed.response->files.find(infoHash);
    if (it == parsed.response->files.end()) {
        // Trackers answer an unknown torrent with no entry (or an all-zero one): no peer at all.
        return ScrapeCounts{};
    }
    return it->second;
}

QString toString(const ScrapeCounts& counts) {
    return QStringLiteral("complete %1, incomplete %2, downloaded %3")
        .arg(counts.complete)
        .arg(counts.incomplete)
        .arg(counts.downloaded);
}

bool waitForScrape(const QString& announceUrl, const QByteArray& infoHash,
                   const std::function<bool(const ScrapeCounts&)>& accept, int timeoutMs, QString* last) {
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        QString error;
        const std::optional<ScrapeCounts> counts = scrape(announceUrl, infoHash, &error);
        *last = counts ? toString(*counts) : error;
        if (counts && accept(*counts))
            return true;
        if (deadline.hasExpired())
            return false;
        QTest::qWait(100);
    }
}

QString pythonWithLibtorrent(QString* error) {
    // Debian's interpreter, not whichever python3 comes first on PATH: python3-libtorrent installs there.
    const QString python = QStringLiteral("/usr/bin/python3");
    if (!QFileInfo(python).isExecutable()) {
        *error = QStringLiteral("%1 is missing: the set-up installs the Debian packages 'python3' and "
                                "'python3-libtorrent'")
                     .arg(python);
        return {};
    }
    const testsupport::ProcessResult probe = testsupport::runProcess(
        python, {QStringLiteral("-c"), QStringLiteral("import libtorrent; print(libtorrent.__version__)")},
        30000);
    if (probe.exitCode != 0) {
        *error = QStringLiteral("%1 cannot import libtorrent (%2): the set-up installs the Debian package "
                                "'python3-libtorrent'")
                     .arg(python, QString::fromUtf8(probe.err.trimmed().split('\n').last()));
        return {};
    }
    return python;
}

QString libtorrentPeerScript() {
    return QStringLiteral(SWARMSCOPE_SOURCE_DIR "/tests/interop/lt_peer.py");
}

QList<QJsonObject> jsonEvents(const ChildProcess& process) {
    QList<QJsonObject> objects;
    for (const QByteArray& line : process.output(ChildProcess::Channel::Out).split('\n')) {
        const QJsonDocument document = QJsonDocument::fromJson(line);
        if (document.isObject())
            objects.append(document.object());
    }
    return objects;
}

std::optional<QJsonObject> lastJsonEvent(const ChildProcess& process, const QString& event) {
    const QList<QJsonObject> objects = jsonEvents(process);
    for (auto it = objects.crbegin(); it != objects.crend(); ++it) {
        if (event.isEmpty() || it->value(QStringLiteral("event")).toString() == event)
            return *it;
    }
    return std::nullopt;
}

std::optional<QJsonObject> waitForJsonEvent(ChildProcess& process,
                                            const std::function<bool(const QJsonObject&)>& accept,
                                            int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        const bool running = process.isRunning();
        for (const QJsonObject& object : jsonEvents(process)) {
            if (accept(object))
                return object;
        }
        if (!running || deadline.hasExpired())
            return std::nullopt;
        QTest::qWait(50);
    }
}

} // namespace swarmscope::interop
