#pragma once

#include <QDialog>
#include <QPointer>
#include <QThread>

#include <memory>

class QLabel;
class QLineEdit;
class QSlider;
class QCheckBox;
class QProgressBar;
class QPushButton;
class QDialogButtonBox;

namespace swarmscope {
class TorrentCreator;
}

namespace swarmscope::ui {

// Creates a .torrent from a file or folder. Hashing runs on a worker thread; the dialog shows progress and
// can cancel it. On success the torrent is saved and torrentCreated() is emitted.
class CreateTorrentDialog : public QDialog {
    Q_OBJECT
public:
    explicit CreateTorrentDialog(QWidget* parent = nullptr);
    ~CreateTorrentDialog() override;

    void setSourcePath(const QString& path);
    QString sourcePath() const;
    void setTracker(const QString& url);
    QString tracker() const;
    void setOutputPath(const QString& path);
    QString outputPath() const;
    // log2 of the piece size, 14 (16 KiB) .. 24 (16 MiB).
    void setPieceSizeExponent(int exponent);
    qint64 pieceSize() const;
    bool isHashing() const { return m_worker != nullptr; }

public slots:
    void startCreation();
    void cancelCreation();

signals:
    void progressChanged(qint64 done, qint64 total);
    void torrentCreated(const QString& torrentPath, const QByteArray& infoHash);
    void creationFailed(const QString& message);

protected:
    void reject() override;

private:
    void updatePieceInfo();
    void updateButtons();
    void chooseFile();
    void chooseFolder();
    void chooseOutput();
    void finishCreation(bool ok, bool cancelled, const QString& error, const QByteArray& torrent,
                        const QByteArray& infoHash);

    QLineEdit* m_source;
    QLineEdit* m_output;
    QLineEdit* m_tracker;
    QSlider* m_pieceSlider;
    QLabel* m_pieceInfo;
    QCheckBox* m_private;
    QLineEdit* m_comment;
    QProgressBar* m_progress;
    QLabel* m_status;
    QPushButton* m_createButton;
    QPushButton* m_cancelButton;
    qint64 m_sourceSize = 0;

    std::shared_ptr<TorrentCreator> m_creator;
    QPointer<QThread> m_worker;
};

} // namespace swarmscope::ui
