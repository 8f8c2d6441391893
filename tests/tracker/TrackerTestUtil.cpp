#include "TrackerTestUtil.h"

#include "bencode/Bencode.h"

#include <QEventLoop>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

namespace swarmscope::trackertest {

QByteArray makeTorrent(const QString& name, qint64 size, qint64 pieceLength, const QString& announce) {
    const qint64 pieces = (size + pieceLength - 1) / pieceLength;
    QByteArray hashes;
    for (qint64 i = 0; i < pieces; ++i)
        hashes += QByteArray(20, char('a' + i % 26));
    BencodeValue info = BencodeValue::dictionary();
    info.insert("length", size);
    info.insert("name", name.toUtf8());
    info.insert("piece length", pieceLength);
    info.insert("pieces", hashes);
    BencodeValue root = BencodeValue::dictionary();
    if (!announce.isEmpty())
        root.insert("announce", announce.toUtf8());
    root.insert("info", info);
    return bencodeEncode(root);
}

QByteArray peerIdFor(int n) {
    return "-SS0001-" + QByteArray::number(n).rightJustified(12, '0');
}

QByteArray binaryInfoHash(quint8 seed) {
    QByteArray out(20, Qt::Uninitialized);
    const char specials[] = {'\0', '&', '=', '%', '+', ' ', '?', '#', '\xff', '/'};
    for (int i = 0; i < 20; ++i)
        out[i] = i < 10 ? specials[(i + seed) % 10] : char(seed * 31 + i * 7);
    return out;
}

namespace {

HttpClientResponse run(const HttpClientRequest& request) {
    // An event loop that quits on the answer: polling helpers sleep in steps that would dominate the
    // runtime of suites making hundreds of requests.
    HttpClient client;
    std::optional<HttpClientResponse> answer;
    QEventLoop loop;
    QObject::connect(&client, &HttpClient::finished, &loop,
                     [&answer, &loop](const HttpClientResponse& response) {
                         answer = response;
                         loop.quit();
                     });
    QTimer::singleShot(request.timeoutMs + 2000, &loop, &QEventLoop::quit);
    client.start(request);
    loop.exec();
    if (!answer)
        return HttpClientResponse{false, 0, {}, {}, QStringLiteral("test helper: no answer")};
    return *answer;
}

} // namespace

HttpClientResponse httpGet(const QString& url, int timeoutMs, qsizetype maxResponseBytes) {
    HttpClientRequest request;
    request.url = url;
    request.timeoutMs = timeoutMs;
    request.maxResponseBytes = maxResponseBytes;
    return run(request);
}

HttpClientResponse httpPost(const QString& url, const QByteArray& body, const QByteArray& contentType,
                            int timeoutMs) {
    HttpClientRequest request;
    request.method = "POST";
    request.url = url;
    request.body = body;
    request.contentType = contentType;
    request.timeoutMs = timeoutMs;
    return run(request);
}

QByteArray rawExchange(quint16 port, const QByteArray& request, int timeoutMs) {
    // The server under test runs in this thread, so wait in an event loop, never with waitFor*().
    QTcpSocket socket;
    QByteArray received;
    QEventLoop loop;
    QObject::connect(&socket, &QTcpSocket::connected, [&socket, &request] { socket.write(request); });
    QObject::connect(&socket, &QTcpSocket::readyRead, [&socket, &received] { received += socket.readAll(); });
    QObject::connect(&socket, &QTcpSocket::disconnected, &loop, &QEventLoop::quit);
    QObject::connect(&socket, &QTcpSocket::errorOccurred, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    socket.connectToHost(QHostAddress::LocalHost, port);
    loop.exec();
    received += socket.readAll();
    return received;
}

int statusOf(const QByteArray& rawResponse) {
    if (!rawResponse.startsWith("HTTP/1.1 ") || rawResponse.size() < 12)
        return 0;
    return rawResponse.mid(9, 3).toInt();
}

QByteArray bodyOf(const QByteArray& rawResponse) {
    const qsizetype end = rawResponse.indexOf("\r\n\r\n");
    return end < 0 ? QByteArray() : rawResponse.mid(end + 4);
}

} // namespace swarmscope::trackertest
