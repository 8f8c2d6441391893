// Crash and resume with real processes: `swarmscope tracker`, a seeder capped at 1 MiB/s so that a download
// lasts a few seconds, and a leecher that is stopped cleanly, killed with SIGKILL mid-download and restarted
// on the same directory. What the leecher keeps and what it fetches again is counted in bytes from its own
// summary line and checked against the pieces that hash right on disk.
//
// Also: resume data saved on a clean stop is not trusted for a piece overwritten afterwards, and the stamp
// that resume data keeps of a file changes on any later write, even one in the same tick of a coarse file
// system clock.

#include "FaultLab.h"

#include "metainfo/TorrentCreator.h"
#include "storage/TorrentStorage.h"

#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace swarmscope;
using namespace swarmscope::hardening;

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;
// What a restarted leecher may receive beyond the bytes of the pieces it is missing: blocks that arrive
// twice (a request withdrawn and sent again while the first answer was on its way; endgame duplicates,
// with several peers). With one seeder this is normally zero; one piece of 64 KiB is allowed.
constexpr qint64 kSlackBytes = 64 * KiB;

QRegularExpression progressAtLeast(int percent) {
    QStringList deciles;
    for (int d = percent / 10; d <= 10; ++d)
        deciles.append(QString::number(d * 10));
    return QRegularExpression(QStringLiteral("^downloading: (%1)%").arg(deciles.join(u'|')));
}

} // namespace

class CrashResumeTest : public QObject {
    Q_OBJECT
private slots:
    void sigkillMidDownload_restartKeepsVerifiedPiecesAndFetchesOnlyTheRest();
    void cleanStopThenOverwrite_damagedPieceIsHashedAgainNotTrusted();
    void resumeStamp_changesOnAWriteRightAfterTheSave();
};

void CrashResumeTest::sigkillMidDownload_restartKeepsVerifiedPiecesAndFetchesOnlyTheRest() {
    FaultLab f;
    QVERIFY(f.isValid());
    QVERIFY2(f.startTracker(QStringLiteral("tracker"), 2), qPrintable(f.error()));
    // 4 MiB in 64 pieces of 64 KiB; at 1 MiB/s the whole download takes about 4 s.
    QVERIFY2(f.makeTorrent(4 * MiB, QStringLiteral("64KiB")), qPrintable(f.error()));
    const Metainfo& meta = f.metainfo();
    const int pieces = meta.pieceCount();
    QVERIFY2(f.startSeeder(QStringLiteral("seeder"), QStringLiteral("1MiB/s")), qPrintable(f.error()));
    const QString dir = f.path(QStringLiteral("download"));

    // Run 1, stopped cleanly at 20 % or more: its resume data lists exactly what it verified.
    ChildProcess* first = f.startLeecher(QStringLiteral("leecher-1"), dir);
    QVERIFY2(first, qPrintable(f.error()));
    QVERIFY2(first->waitForLine(ChildProcess::Channel::Err, progressAtLeast(20), 60000),
             qPrintable(first->status()));
    first->terminate();
    QVERIFY2(first->waitForExit(20000), "the leecher did not stop within 20 s of SIGTERM");
    QVERIFY2(first->exitedNormally() && first->exitCode() == 0, qPrintable(first->status()));
    const std::optional<PeerSummary> firstSummary = peerSummary(*first);
    QVERIFY2(firstSummary, "no summary line after a clean stop");
    const std::optional<ResumeData> saved = readResumeData(dir, meta);
    QVERIFY2(saved, "no resume data after a clean stop");
    const QBitArray claimedAtStop = saved->pieces;
    QCOMPARE(claimedAtStop.count(true), firstSummary->verified);
    QVERIFY(isSubset(claimedAtStop, validPiecesOnDisk(meta, dir)));
    QVERIFY2(firstSummary->verified < pieces, "the download finished before it could be stopped");

    // Run 2 trusts that resume data, goes on, and is killed with SIGKILL at 50 % or more: its resume data is
    // now stale, and the pieces it verified since are on disk only.
    ChildProcess* second = f.startLeecher(QStringLiteral("leecher-2"), dir);
    QVERIFY2(second, qPrintable(f.error()));
    QVERIFY2(second->waitForLine(ChildProcess::Channel::Err, progressAtLeast(50), 60000),
             qPrintable(second->status()));
    bool fromResume = false;
    QCOMPARE(foundOnDisk(*second, &fromResume), firstSummary->verified);
    QVERIFY(fromResume);
    const int percentAtKill = progressPercent(*second);
    QVERIFY2(killHard(*second), "the leecher did not die on SIGKILL");
    QVERIFY(!second->exitedNormally());
    QVERIFY2(!peerSummary(*second), "a killed leecher cannot have printed its summary");

    const QBitArray onDisk = validPiecesOnDisk(meta, dir);
    const int kept = onDisk.count(true);
    // Every piece reported before the kill is on disk: it said percentAtKill % was verified.
    QVERIFY2(
        qint64(kept) * meta.pieceLength >= meta.totalSize * percentAtKill / 100,
        qPrintable(QStringLiteral("%1 pieces valid on disk, %2 % reported").arg(kept).arg(percentAtKill)));
    QVERIFY(isSubset(claimedAtStop, onDisk));
    QVERIFY2(kept < pieces, "the download finished before it could be killed");
    QVERIFY(readResumeData(dir, meta)->pieces == claimedAtStop); // stale: from run 1

    // Run 3 on the same directory: it keeps every piece on disk and fetches only the others.
    QElapsedTimer clock;
    clock.start();
    ChildProcess* third =
        f.startLeecher(QStringLiteral("leecher-3"), dir, {QStringLiteral("--exit-when-done")});
    QVERIFY2(third, qPrintable(f.error()));
    QVERIFY2(third->waitForExit(90000), "the restarted leecher did not finish within 90 s");
    QVERIFY2(third->exitedNormally() && third->exitCode() == 0, qPrintable(third->status()));
    QCOMPARE(foundOnDisk(*third, &fromResume), kept);
    QVERIFY(fromResume); // the stale resume data was read, and the changed file hashed again
    const std::optional<PeerSummary> summary = peerSummary(*third);
    QVERIFY2(summary, "no summary line");
    QCOMPARE(summary->verified, pieces);
    QCOMPARE(summary->foundAtStart, kept);
    const qint64 missing = bytesOfMissingPieces(meta, onDisk);
    qInfo("SIGKILL at %d %%: %d of %d pieces kept (%d were in the stale resume data); after the restart "
          "received %lld bytes of piece data for %lld missing (%lld wasted, slack allowed %lld); %.1f s",
          percentAtKill, kept, pieces, int(claimedAtStop.count(true)), summary->received, missing,
          summary->wasted, kSlackBytes, clock.elapsed() / 1000.0);
    QVERIFY2(summary->received >= missing && summary->received <= missing + kSlackBytes,
             qPrintable(QStringLiteral("received %1 bytes after the restart, %2 were missing")
                            .arg(summary->received)
                            .arg(missing)));
    QVERIFY2(f.isIdenticalIn(dir), "the downloaded file differs from the original");
    // Completed: its resume data now lists every piece.
    QCOMPARE(readResumeData(dir, meta)->pieces.count(true), pieces);
    const QString sanitizers = f.finish();
    QVERIFY2(sanitizers.isEmpty(), qPrintable(sanitizers));
}

void CrashResumeTest::cleanStopThenOverwrite_damagedPieceIsHashedAgainNotTrusted() {
    FaultLab f;
    QVERIFY(f.isValid());
    QVERIFY2(f.startTracker(QStringLiteral("tracker"), 2), qPrintable(f.error()));
    QVERIFY2(f.makeTorrent(2 * MiB, QStringLiteral("32KiB"), 2), qPrintable(f.error()));
    const Metainfo& meta = f.metainfo();
    QVERIFY2(f.startSeeder(QStringLiteral("seeder"), QStringLiteral("1MiB/s")), qPrintable(f.error()));
    const QString dir = f.path(QStringLiteral("download"));

    ChildProcess* first = f.startLeecher(QStringLiteral("leecher-1"), dir);
    QVERIFY2(first, qPrintable(f.error()));
    QVERIFY2(first->waitForLine(ChildProcess::Channel::Err, progressAtLeast(30), 60000),
             qPrintable(first->status()));
    first->terminate();
    QVERIFY2(first->waitForExit(20000), "the leecher did not stop within 20 s of SIGTERM");
    QVERIFY2(first->exitedNormally() && first->exitCode() == 0, qPrintable(first->status()));
    const std::optional<ResumeData> saved = readResumeData(dir, meta);
    QVERIFY2(saved, "no resume data after a clean stop");
    const int claimed = saved->pieces.count(true);
    QVERIFY(claimed > 0 && claimed < meta.pieceCount());

    // Part of one verified piece is overwritten after the save, the file's size unchanged.
    int damaged = -1;
    for (int i = 0; i < saved->pieces.size() && damaged < 0; ++i)
        if (saved->pieces.testBit(i))
            damaged = i;
    const qint64 at = qint64(damaged) * meta.pieceLength + 1000;
    QByteArray garbage = f.content().mid(at, 100);
    for (char& c : garbage)
        c = char(~c);
    {
        QFile file(f.dataPathIn(dir));
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.seek(at));
        QCOMPARE(file.write(garbage), garbage.size());
    }
    QVERIFY(!validPiecesOnDisk(meta, dir).testBit(damaged));

    ChildProcess* second =
        f.startLeecher(QStringLiteral("leecher-2"), dir, {QStringLiteral("--exit-when-done")});
    QVERIFY2(second, qPrintable(f.error()));
    QVERIFY2(second->waitForExit(60000), "the restarted leecher did not finish within 60 s");
    QVERIFY2(second->exitedNormally() && second->exitCode() == 0, qPrintable(second->status()));
    bool fromResume = false;
    QCOMPARE(foundOnDisk(*second, &fromResume), claimed - 1);
    QVERIFY(fromResume);
    const std::optional<PeerSummary> summary = peerSummary(*second);
    QVERIFY2(summary, "no summary line");
    QCOMPARE(summary->foundAtStart, claimed - 1);
    QBitArray trusted = saved->pieces;
    trusted.clearBit(damaged);
    const qint64 missing = bytesOfMissingPieces(meta, trusted);
    qInfo("piece %d overwritten after a clean stop with %d pieces: %d kept, received %lld bytes for %lld "
          "missing",
          damaged, claimed, claimed - 1, summary->received, missing);
    QVERIFY(summary->received >= missing && summary->received <= missing + kSlackBytes);
    QVERIFY2(f.isIdenticalIn(dir), "the downloaded file differs from the original");
    const QString sanitizers = f.finish();
    QVERIFY2(sanitizers.isEmpty(), qPrintable(sanitizers));
}

void CrashResumeTest::resumeStamp_changesOnAWriteRightAfterTheSave() {
    // A file system clock that ticks every few milliseconds (the kernel's coarse clock, without multigrain
    // timestamps) stamps a write that follows the save within the same tick with the very mtime the file
    // had at the save. That write must still make the file's pieces be hashed again. The coarse clock is
    // played here: after the write, the file's mtime is set back to what it was just before the save.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QByteArray content = [] {
        QByteArray bytes(256 * KiB, Qt::Uninitialized);
        for (qsizetype i = 0; i < bytes.size(); ++i)
            bytes[i] = char((i * 131) ^ (i >> 7));
        return bytes;
    }();
    QFile source(tmp.filePath(QStringLiteral("r.bin")));
    QVERIFY(source.open(QIODevice::WriteOnly));
    QCOMPARE(source.write(content), content.size());
    source.close();
    TorrentCreateOptions options;
    options.path = source.fileName();
    options.pieceLength = 32 * KiB;
    options.includeDate = false;
    TorrentCreator creator(options);
    const TorrentCreateResult created = creator.run();
    QVERIFY2(created.ok(), qPrintable(created.error));
    MetainfoParseResult parsed = parseMetainfo(created.torrent);
    QVERIFY(parsed.ok());
    const Metainfo meta = *parsed.metainfo;
    TorrentStorage storage(meta, tmp.path());
    QVERIFY(storage.open(TorrentStorage::OpenMode::ReadWrite).ok());
    const QString resume = tmp.filePath(QStringLiteral("r.resume"));
    const QByteArray path = QFile::encodeName(storage.filePath(0));
    const int rounds = 20;
    for (int round = 0; round < rounds; ++round) {
        // The last block written before a stop, and the save right after it.
        QVERIFY(storage.writeBlock(5, 0, content.mid(5 * 32 * KiB, 16 * KiB)).ok());
        struct stat before {};
        QCOMPARE(::stat(path.constData(), &before), 0);
        const QBitArray all = storage.verifyAll({}, nullptr, 1);
        QCOMPARE(all.count(true), meta.pieceCount());
        QVERIFY(ResumeData::capture(storage, all).save(resume).ok());

        // One byte of piece 3 changed after the save, in the same clock tick.
        const int fd = ::open(path.constData(), O_WRONLY | O_CLOEXEC);
        QVERIFY(fd >= 0);
        const char flipped = char(~content.at(3 * 32 * KiB + 7));
        QCOMPARE(::pwrite(fd, &flipped, 1, 3 * 32 * KiB + 7), ssize_t(1));
        const timespec sameTick[2] = {{0, UTIME_OMIT}, before.st_mtim};
        QCOMPARE(::futimens(fd, sameTick), 0);
        ::close(fd);

        const ResumeLoadResult loaded = ResumeData::load(resume, storage);
        QVERIFY2(loaded.status.ok(), qPrintable(loaded.status.message));
        QVERIFY2(
            !loaded.pieces.testBit(3) && loaded.recheck.testBit(3),
            qPrintable(QStringLiteral("round %1: piece 3, changed after the save, is trusted").arg(round)));
        QCOMPARE(loaded.recheck.count(true), meta.pieceCount()); // every piece of the changed file
        // Restore the byte for the next round.
        QVERIFY(storage.writeBlock(3, 0, content.mid(3 * 32 * KiB, 32 * KiB)).ok());
    }
}

QTEST_GUILESS_MAIN(CrashResumeTest)
#include "tst_crashresume.moc"
