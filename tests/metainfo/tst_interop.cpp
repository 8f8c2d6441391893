#include "TestSupport.h"

#include "metainfo/MagnetLink.h"
#include "metainfo/Metainfo.h"

#include <QCryptographicHash>
#include <QDir>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace swarmscope;

// Torrents written by mktorrent, read back by us and by Transmission: both must agree on every value.
class TestMetainfoInterop : public QObject {
    Q_OBJECT
private slots:
    void mktorrentOutput_agreesWithTransmission();
};

void TestMetainfoInterop::mktorrentOutput_agreesWithTransmission() {
    const QString mktorrent = testsupport::requiredTool(QStringLiteral("mktorrent"));
    const QString show = testsupport::requiredTool(QStringLiteral("transmission-show"));
    QVERIFY2(!mktorrent.isEmpty(), "mktorrent is not installed (cmake/setup-debian.sh installs it)");
    QVERIFY2(!show.isEmpty(), "transmission-show is not installed (cmake/setup-debian.sh installs it)");

    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    const QString content = temp.filePath(QStringLiteral("content"));
    QVERIFY(QDir().mkpath(content + QStringLiteral("/sub/deeper")));
    // mktorrent lists a directory's files in sorted path order; so does this list.
    const QList<QPair<QString, qint64>> files{{QStringLiteral("b.txt"), 100},
                                              {QStringLiteral("sub/a.bin"), 40000},
                                              {QStringLiteral("sub/deeper/c.bin"), 70000}};
    QByteArray data;
    for (qsizetype i = 0; i < files.size(); ++i) {
        const QString path = content + u'/' + files.at(i).first;
        QVERIFY(testsupport::writeRandomFile(path, files.at(i).second, quint32(i + 1)));
        data += testsupport::readAll(path);
    }

    const QString torrentPath = temp.filePath(QStringLiteral("out.torrent"));
    const testsupport::ProcessResult made = testsupport::runProcess(
        mktorrent, {QStringLiteral("-l"), QStringLiteral("15"), QStringLiteral("-d"), QStringLiteral("-p"),
                    QStringLiteral("-a"), QStringLiteral("http://t1.invalid/announce"), QStringLiteral("-a"),
                    QStringLiteral("http://t2.invalid/announce?x=1&y=2"), QStringLiteral("-w"),
                    QStringLiteral("http://seed.invalid/content"), QStringLiteral("-c"),
                    QStringLiteral("a comment"), QStringLiteral("-o"), torrentPath, content});
    QVERIFY2(made.exitCode == 0, made.err.constData());

    const MetainfoParseResult result = parseMetainfo(testsupport::readAll(torrentPath));
    QVERIFY2(result.ok(), qPrintable(result.message));
    const Metainfo& meta = *result.metainfo;
    QCOMPARE(meta.name, QStringLiteral("content"));
    QVERIFY(meta.multiFile);
    QVERIFY(meta.isPrivate);
    QCOMPARE(meta.pieceLength, qint64(32768));
    QCOMPARE(meta.totalSize, qint64(data.size()));
    QCOMPARE(meta.comment, QStringLiteral("a comment"));
    QCOMPARE(meta.urlList, QStringList{QStringLiteral("http://seed.invalid/content")});
    QCOMPARE(meta.trackers(), (QStringList{QStringLiteral("http://t1.invalid/announce"),
                                           QStringLiteral("http://t2.invalid/announce?x=1&y=2")}));
    QVERIFY(!meta.creationDate);
    QCOMPARE(meta.files.size(), files.size());
    for (qsizetype i = 0; i < files.size(); ++i) {
        QCOMPARE(meta.files.at(i).path, QStringLiteral("content/") + files.at(i).first);
        QCOMPARE(meta.files.at(i).length, files.at(i).second);
    }
    for (int piece = 0; piece < meta.pieceCount(); ++piece)
        QCOMPARE(QCryptographicHash::hash(data.mid(piece * meta.pieceLength, meta.pieceSize(piece)),
                                          QCryptographicHash::Sha1),
                 meta.pieceHash(piece));

    // Transmission's view of the same file: its info-hash, and its magnet link read back by our parser.
    const testsupport::ProcessResult shown = testsupport::runProcess(show, {torrentPath});
    QVERIFY2(shown.exitCode == 0, shown.err.constData());
    const QRegularExpressionMatch hash =
        QRegularExpression(QStringLiteral("Hash: ([0-9a-f]{40})")).match(QString::fromUtf8(shown.out));
    QVERIFY2(hash.hasMatch(), shown.out.constData());
    QCOMPARE(meta.infoHashHex(), hash.captured(1));

    const testsupport::ProcessResult magnetOut =
        testsupport::runProcess(show, {QStringLiteral("-m"), torrentPath});
    QVERIFY2(magnetOut.exitCode == 0, magnetOut.err.constData());
    QString error;
    const std::optional<MagnetLink> magnet =
        parseMagnetLink(QString::fromUtf8(magnetOut.out).trimmed(), &error);
    QVERIFY2(magnet, qPrintable(error + QStringLiteral(": ") + QString::fromUtf8(magnetOut.out)));
    QCOMPARE(magnet->infoHash, meta.infoHash);
    QCOMPARE(magnet->displayName, QStringLiteral("content"));
    QVERIFY2(magnet->trackers.contains(QStringLiteral("http://t2.invalid/announce?x=1&y=2")),
             qPrintable(magnet->trackers.join(u' ')));
}

QTEST_GUILESS_MAIN(TestMetainfoInterop)
#include "tst_interop.moc"
