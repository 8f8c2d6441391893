#pragma once

#include "metainfo/Metainfo.h"

#include <QMainWindow>

class QLabel;
class QStackedWidget;
class QTableView;

namespace swarmscope::ui {

class FileListModel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    // Opens a .torrent and shows it; returns false (and tells the user) when it cannot be read.
    bool openTorrent(const QString& path);
    // Opens the create dialog with path as the source.
    void createTorrentFrom(const QString& path);

    const std::optional<Metainfo>& currentTorrent() const { return m_torrent; }

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void showCreateDialog();
    void showOpenDialog();
    void showAbout();
    QWidget* createWelcomePage();
    QWidget* createTorrentPage();

    QStackedWidget* m_pages;
    QLabel* m_summary;
    QTableView* m_fileView;
    FileListModel* m_files;
    std::optional<Metainfo> m_torrent;
};

} // namespace swarmscope::ui
