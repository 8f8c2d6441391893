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
class QTimer;

namespace swarmscope {
class TorrentCreator;
}

namespace swarmscope::ui {

// Creates a .torrent from a file or folder. A path typed into the source field takes effect as it is typed
// (a moment after the last key), with a line under it saying what it is, or why it cannot be shared. The
// piece size is chosen here and only here: it is fixed in the torrent. Hashing runs on a worker thread; the
// dialog shows progress and can cancel it. On success the torrent is saved and torrentCreated() is emitted.
class CreateTorrentDialog : public QDialog {
    Q_OBJECT
public:
    explicit CreateTorrentDialog(QWidget* parent = nullptr);
    ~CreateTorrentDialog() override;

    void setSourcePath(const QString& path);
    QString sourcePath() const;
    // Whether the source names something that can be shared, and the line under the field that says so.
    bool isSourceValid() const { return m_sourceValid; }
    QString sourceStatus() const;
    // How long after the last key a typed path is looked at.
    static constexpr int kTypingPauseMs = 250;
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
    // Looks at the typed source: what it is, its size, the suggested piece size and output.
    void applySource();
    void updatePieceInfo();
    void updateButtons();
    void chooseFile();
    void chooseFolder();
    void chooseOutput();
    void finishCreation(bool ok, bool cancelled, const QString& error, const QByteArray& torrent,
                        const QByteArray& infoHash);

    QLineEdit* m_source;
    QLabel* m_sourceStatus;
    QTimer* m_sourceTimer;
    QString m_appliedSource;
    QString m_autoOutput; // the output path filled in from the source, replaced while the user keeps it
    bool m_sourceValid = false;
    qint64 m_automaticPieceSize = 0;
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
