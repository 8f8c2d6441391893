// A full disk, made honestly without root: the leecher runs under a file size limit (`prlimit --fsize`,
// RLIMIT_FSIZE), so its writes past the limit fail with EFBIG exactly as they would with ENOSPC on a full
// file system (the process ignores SIGXFSZ, so the signal does not kill it silently). It must stop with a
// clear error naming the file and the cause and exit code 1, without hanging, and it must never report or
// save as verified a piece that is not fully and correctly on disk. Restarted without the limit, it keeps
// the good pieces and finishes byte-identical.

#include "FaultLab.h"

#include "TestSupport.h"

#include <QDir>
#include <QRegularExpression>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::hardening;

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;
constexpr qint64 kSlackBytes = 32 * KiB; // one piece: see tst_crashresume.cpp

// The one error line: "swarmscope: error: file too large (...) while <action> (<the file>)".
bool hasFileTooLargeError(const ChildProcess& peer, const QString& file, const QString& action) {
    const QList<QByteArray> lines = peer.output(ChildProcess::Channel::Err).split('\n');
    int errors = 0;
    bool matched = false;
    for (const QByteArray& line : lines) {
        if (!line.startsWith("swarmscope: error: "))
            continue;
        ++errors;
        const QString text = QString::fromUtf8(line);
        matched = matched || (text.contains(QStringLiteral("file too large")) &&
                              text.contains(QStringLiteral("while ") + action) &&
                              text.endsWith(QStringLiteral("(%1)").arg(file)));
    }
    return errors == 1 && matched;
}

} // namespace

class FullDiskTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void limitBelowTheFileSize_failsAtStartNamingTheFile();
    void limitReachedMidDownload_nothingBadClaimedThenRestartCompletes();

private:
    QString m_prlimit;
};

void FullDiskTest::initTestCase() {
    m_prlimit = testsupport::requiredTool(QStringLiteral("prlimit"));
    QVERIFY2(!m_prlimit.isEmpty(), "prlimit is missing: it comes with util-linux, in every Debian");
}

void FullDiskTest::limitBelowTheFileSize_failsAtStartNamingTheFile() {
    FaultLab f;
    QVERIFY(f.isValid());
    QVERIFY2(f.startTracker(QStringLiteral("tracker"), 2), qPrintable(f.error()));
    QVERIFY2(f.makeTorrent(2 * MiB, QStringLiteral("32KiB")), qPrintable(f.error()));
    QVERIFY2(f.startSeeder(QStringLiteral("seeder"), QStringLiteral("2MiB/s")), qPrintable(f.error()));
    const QString dir = f.path(QStringLiteral("download"));

    // The leecher sizes its file up front, so a limit below the file's size is found before any transfer.
    ChildProcess* leecher = f.startLeecher(QStringLiteral("leecher"), dir, {}, 1 * MiB);
    QVERIFY2(leecher, qPrintable(f.error()));
    QVERIFY2(leecher->waitForExit(30000), "the leecher hung on a file it cannot size");
    QVERIFY2(leecher->exitedNormally(), "the leecher was killed (SIGXFSZ?) instead of reporting the error");
    QCOMPARE(leecher->exitCode(), 1);
    QVERIFY2(hasFileTooLargeError(*leecher, f.dataPathIn(dir), QStringLiteral("setting the file size")),
             leecher->output(ChildProcess::Channel::Err).constData());
    QVERIFY2(!readResumeData(dir, f.metainfo()), "resume data was saved for a download that never started");
    const QString sanitizers = f.finish();
    QVERIFY2(sanitizers.isEmpty(), qPrintable(sanitizers));
}

void FullDiskTest::limitReachedMidDownload_nothingBadClaimedThenRestartCompletes() {
    FaultLab f;
    QVERIFY(f.isValid());
    QVERIFY2(f.startTracker(QStringLiteral("tracker"), 2), qPrintable(f.error()));
    // 2 MiB in 64 pieces of 32 KiB; the limit is half of it, a piece boundary.
    QVERIFY2(f.makeTorrent(2 * MiB, QStringLiteral("32KiB"), 3), qPrintable(f.error()));
    const Metainfo& meta = f.metainfo();
    const int pieces = meta.pieceCount();
    const qint64 limit = 1 * MiB;
    QVERIFY2(f.startSeeder(QStringLiteral("seeder"), QStringLiteral("1MiB/s")), qPrintable(f.error()));
    const QString dir = f.path(QStringLiteral("download"));

    // Run 1, without a limit, is killed early: the file now has its full size and some good pieces, as
    // when a disk fills up under a download that was already under way.
    ChildProcess* first = f.startLeecher(QStringLiteral("leecher-1"), dir);
    QVERIFY2(first, qPrintable(f.error()));
    QVERIFY2(first->waitForLine(ChildProcess::Channel::Err,
                                QRegularExpression(QStringLiteral("^downloading: [1-9]0%")), 60000),
             qPrintable(first->status()));
    QVERIFY(killHard(*first));
    const QBitArray beforeLimit = validPiecesOnDisk(meta, dir);
    QVERIFY(beforeLimit.count(true) > 0 && beforeLimit.count(true) < pieces);

    // Run 2 under the limit: pieces past it cannot be written.
    ChildProcess* second = f.startLeecher(QStringLiteral("leecher-2"), dir, {}, limit);
    QVERIFY2(second, qPrintable(f.error()));
    QVERIFY2(second->waitForExit(60000), "the leecher hung after a failed write");
    QVERIFY2(second->exitedNormally(), "the leecher was killed (SIGXFSZ?) instead of reporting the error");
    QCOMPARE(second->exitCode(), 1);
    QVERIFY2(hasFileTooLargeError(*second, f.dataPathIn(dir), QStringLiteral("writing")),
             second->output(ChildProcess::Channel::Err).constData());
    QCOMPARE(foundOnDisk(*second), beforeLimit.count(true));
    const std::optional<PeerSummary> summary = peerSummary(*second);
    QVERIFY2(summary, "no summary line after the failure");

    // Nothing it reports or saves as verified is anything but fully and correctly on disk.
    const QBitArray onDisk = validPiecesOnDisk(meta, dir);
    const std::optional<ResumeData> saved = readResumeData(dir, meta);
    QVERIFY2(saved, "no resume data after a full disk (the verified pieces are intact and worth keeping)");
    QVERIFY2(isSubset(saved->pieces, onDisk), "resume data claims a piece that is not on disk");
    QCOMPARE(saved->pieces.count(true), summary->verified);
    QVERIFY(isSubset(beforeLimit, saved->pieces)); // the good pieces are kept
    for (int i = 0; i < pieces; ++i)
        if (qint64(i + 1) * meta.pieceLength > limit)
            QVERIFY2(!saved->pieces.testBit(i) || beforeLimit.testBit(i),
                     qPrintable(QStringLiteral("piece %1, past the limit, is claimed").arg(i)));
    qInfo("under a %lld-byte file size limit: %d pieces on disk before, %d verified at the failure (%lld "
          "bytes received), %d valid on disk",
          limit, int(beforeLimit.count(true)), summary->verified, summary->received, int(onDisk.count(true)));

    // Run 3 without the limit finishes, keeping what run 2 saved.
    ChildProcess* third =
        f.startLeecher(QStringLiteral("leecher-3"), dir, {QStringLiteral("--exit-when-done")});
    QVERIFY2(third, qPrintable(f.error()));
    QVERIFY2(third->waitForExit(60000), "the restarted leecher did not finish within 60 s");
    QVERIFY2(third->exitedNormally() && third->exitCode() == 0, qPrintable(third->status()));
    const std::optional<PeerSummary> done = peerSummary(*third);
    QVERIFY2(done, "no summary line");
    QCOMPARE(done->verified, pieces);
    QVERIFY(done->foundAtStart >= saved->pieces.count(true));
    const qint64 missing = bytesOfMissingPieces(meta, saved->pieces);
    QVERIFY2(
        done->received <= missing + kSlackBytes,
        qPrintable(QStringLiteral("received %1 bytes, %2 were missing").arg(done->received).arg(missing)));
    QVERIFY2(f.isIdenticalIn(dir), "the downloaded file differs from the original");
    qInfo("restarted without the limit: %d pieces kept, %lld bytes received for %lld missing; byte-identical",
          done->foundAtStart, done->received, missing);
    const QString sanitizers = f.finish();
    QVERIFY2(sanitizers.isEmpty(), qPrintable(sanitizers));
}

QTEST_GUILESS_MAIN(FullDiskTest)
#include "tst_fulldisk.moc"
