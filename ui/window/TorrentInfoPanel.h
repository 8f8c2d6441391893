#pragma once

#include "metainfo/Metainfo.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace swarmscope::ui {

class FileListModel;

// The shown torrent on paper: name, info-hash, size, pieces, trackers, and its files with the pieces each
// one touches.
class TorrentInfoPanel : public QWidget {
    Q_OBJECT
public:
    explicit TorrentInfoPanel(QWidget* parent = nullptr);

    void setMetainfo(const std::optional<Metainfo>& metainfo);
    FileListModel* fileModel() const { return m_files; }

private:
    QLabel* m_summary;
    QTableView* m_fileView;
    FileListModel* m_files;
};

} // namespace swarmscope::ui
