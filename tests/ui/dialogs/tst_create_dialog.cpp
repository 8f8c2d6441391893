// The desktop flow of making a torrent: the file model, the create dialog driven as a user would, and the
// main window putting the result into the lab with a seeder.
#include "TestSupport.h"
#include "dialogs/CreateTorrentDialog.h"
#include "shared/FileListModel.h"
#include "shared/LabController.h"
#include "window/MainWindow.h"
#include "window/TorrentImporter.h"

#include "metainfo/Metainfo.h"
#include "swarm/SwarmLab.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::ui;

class TestCreateDialog : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void fileModelPassesModelTester() {
        const QString fixtures = testsupport::fixturesDir();
        QVERIFY2(!fixtures.isEmpty(), "the shared fixtures folder is missing");
        const QByteArray data =
            testsupport::readAll(fixtures + QStringLiteral("/webtorrent/lots-of-numbers.torrent"));
        MetainfoParseResult parsed = parseMetainfo(data);
        QVERIFY2(parsed.ok(), qPrintable(parsed.message));

        FileListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        model.setMetainfo(*parsed.metainfo);
        QCOMPARE(model.rowCount(), 6);
        QCOMPARE(model.columnCount(), int(FileListModel::ColumnCount));
        QVERIFY(model.index(0, FileListModel::PathColumn)
                    .data()
                    .toString()
                    .startsWith(QStringLiteral("lots-of-numbers/")));
        qint64 total = 0;
        for (int row = 0; row < model.rowCount(); ++row)
            total += model.index(row, FileListModel::SizeColumn).data(Qt::UserRole).toLongLong();
        QCOMPARE(total, parsed.metainfo->totalSize);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void createDialogHashesOffTheGuiThreadAndSaves() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString source = dir.filePath(QStringLiteral("lecture.bin"));
        QVERIFY(testsupport::writeRandomFile(source, 5 * 1024 * 1024 + 3));

        CreateTorrentDialog dialog;
        dialog.setSourcePath(source);
        dialog.setTracker(QStringLiteral("http://127.0.0.1:6969/announce"));
        dialog.setPieceSizeExponent(16); // 64 KiB
        QCOMPARE(dialog.pieceSize(), qint64(65536));
        QCOMPARE(dialog.outputPath(), source + QStringLiteral(".torrent"));

        QSignalSpy created(&dialog, &CreateTorrentDialog::torrentCreated);
        QSignalSpy progress(&dialog, &CreateTorrentDialog::progressChanged);
        QSignalSpy failed(&dialog, &CreateTorrentDialog::creationFailed);
        dialog.startCreation();
        QVERIFY(dialog.isHashing());
        QVERIFY(created.wait(30000));
        QCOMPARE(failed.count(), 0);
        QVERIFY(progress.count() >= 1);
        QCOMPARE(progress.last().at(0).toLongLong(), progress.last().at(1).toLongLong());

        const QString torrentPath = created.first().at(0).toString();
        MetainfoParseResult parsed = parseMetainfo(testsupport::readAll(torrentPath));
        QVERIFY2(parsed.ok(), qPrintable(parsed.message));
        QCOMPARE(parsed.metainfo->pieceLength, qint64(65536));
        QCOMPARE(parsed.metainfo->totalSize, qint64(5 * 1024 * 1024 + 3));
        QCOMPARE(parsed.metainfo->trackers(), QStringList{QStringLiteral("http://127.0.0.1:6969/announce")});
        QCOMPARE(parsed.metainfo->infoHash, created.first().at(1).toByteArray());
    }

    void cancelLeavesNothingBehind() {
        QTemporaryDir dir;
        const QString source = dir.filePath(QStringLiteral("big.bin"));
        QVERIFY(testsupport::writeRandomFile(source, 256LL * 1024 * 1024));
        CreateTorrentDialog dialog;
        dialog.setSourcePath(source);
        QSignalSpy created(&dialog, &CreateTorrentDialog::torrentCreated);
        dialog.startCreation();
        dialog.cancelCreation();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.isHashing(), 10000);
        QCOMPARE(created.count(), 0);
        QVERIFY(!QFile::exists(dialog.outputPath()));
    }

    void missingSourceIsReported() {
        CreateTorrentDialog dialog;
        dialog.setSourcePath(QStringLiteral("/nonexistent/file"));
        dialog.setOutputPath(QStringLiteral("/tmp/never.torrent"));
        QSignalSpy failed(&dialog, &CreateTorrentDialog::creationFailed);
        dialog.startCreation();
        QCOMPARE(failed.count(), 1);
        QVERIFY(!dialog.isHashing());
    }

    void mainWindowOpensATorrent() {
        MainWindow window;
        const QString path = testsupport::fixturesDir() + QStringLiteral("/webtorrent/folder.torrent");
        QString error;
        const int torrent = window.importer()->addTorrentFile(path, QString(), &error);
        QVERIFY2(torrent != 0, qPrintable(error));
        QVERIFY(window.currentTorrent().has_value());
        QCOMPARE(window.currentTorrent()->name, QStringLiteral("folder"));
        QCOMPARE(window.controller()->activeTorrent(), torrent);
        // Without a data folder nobody seeds it.
        QVERIFY(window.controller()->lab()->peerIds(torrent).isEmpty());
    }

    void mainWindowCreatesATorrentAndSeedsIt() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString source = dir.filePath(QStringLiteral("notes.bin"));
        QVERIFY(testsupport::writeRandomFile(source, 3 * 1024 * 1024 + 11));

        MainWindow window;
        LabController* controller = window.controller();
        QTRY_VERIFY_WITH_TIMEOUT(!controller->announceUrl().isEmpty(), 10000);
        window.createTorrentFrom(source);
        auto* dialog = window.findChild<CreateTorrentDialog*>();
        QVERIFY(dialog);
        QCOMPARE(dialog->tracker(), controller->announceUrl());
        QSignalSpy created(dialog, &CreateTorrentDialog::torrentCreated);
        dialog->startCreation();
        QVERIFY(created.wait(30000));

        // The window's handler runs inside the signal, so the lab has the torrent by now.
        const QList<int> torrents = controller->torrentIds();
        QCOMPARE(torrents.size(), 1);
        QCOMPARE(controller->activeTorrent(), torrents.first());
        const QList<int> peers = controller->lab()->peerIds(torrents.first());
        QCOMPARE(peers.size(), 1);
        QCOMPARE(controller->lab()->peerInfo(peers.first())->role, TorrentRole::Seeder);
        QCOMPARE(window.currentTorrent()->name, QStringLiteral("notes.bin"));
        QCOMPARE(window.currentTorrent()->trackers(), QStringList{controller->announceUrl()});

        // It serves the source in place, trusted, so it is seeding within a snapshot or two.
        QTRY_VERIFY_WITH_TIMEOUT(window.currentSnapshot() && window.currentSnapshot()->peer(peers.first()) &&
                                     window.currentSnapshot()->peer(peers.first())->state ==
                                         LabPeerState::Seeding,
                                 10000);
    }

    void aTypedPathTakesEffectAsTypedWithFeedback() {
        QTemporaryDir dir;
        const QString source = dir.filePath(QStringLiteral("notes.bin"));
        QVERIFY(testsupport::writeRandomFile(source, 3 * 1024 * 1024));
        CreateTorrentDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto* edit = dialog.findChild<QLineEdit*>(QStringLiteral("sourceEdit"));
        auto* create = dialog.findChild<QPushButton*>(QStringLiteral("createButton"));
        edit->setFocus();
        // A wrong path first: said so, and Create stays off.
        QTest::keyClicks(edit, dir.filePath(QStringLiteral("note")));
        QTRY_VERIFY(dialog.sourceStatus().contains(QStringLiteral("No such file or folder")));
        QVERIFY(!create->isEnabled());
        // Finishing the name, with no Tab and no Enter: it takes effect a moment after the last key.
        QTest::keyClicks(edit, QStringLiteral("s.bin"));
        QTRY_VERIFY_WITH_TIMEOUT(dialog.isSourceValid(), 2000);
        QVERIFY(edit->hasFocus());
        QVERIFY2(dialog.sourceStatus().contains(QStringLiteral("3.0 MiB")),
                 qPrintable(dialog.sourceStatus()));
        QCOMPARE(dialog.outputPath(), source + QStringLiteral(".torrent"));
        QVERIFY(create->isEnabled());
        // The output followed the source it was filled in for; typed over, it is the user's.
        QTest::keyClick(edit, Qt::Key_Backspace);
        QTRY_VERIFY(!dialog.isSourceValid());
        QVERIFY(!create->isEnabled());
        dialog.setOutputPath(dir.filePath(QStringLiteral("mine.torrent")));
        QTest::keyClicks(edit, QStringLiteral("n"));
        QTRY_VERIFY(dialog.isSourceValid());
        QCOMPARE(dialog.outputPath(), dir.filePath(QStringLiteral("mine.torrent")));
        // An empty folder cannot be shared.
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("empty")));
        edit->clear();
        QTest::keyClicks(edit, dir.filePath(QStringLiteral("empty")));
        QTRY_VERIFY(dialog.sourceStatus().contains(QStringLiteral("empty folder")));
        QVERIFY(!create->isEnabled());
    }
};

QTEST_MAIN(TestCreateDialog)
#include "tst_create_dialog.moc"
