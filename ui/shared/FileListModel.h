#pragma once

#include "metainfo/Metainfo.h"

#include <QAbstractTableModel>

namespace swarmscope::ui {

// The files of one torrent: path, size, and the range of pieces each file touches.
class FileListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { PathColumn, SizeColumn, PiecesColumn, ColumnCount };

    explicit FileListModel(QObject* parent = nullptr);

    void setMetainfo(const Metainfo& metainfo);
    void clear();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<TorrentFile> m_files;
    qint64 m_pieceLength = 0;
};

} // namespace swarmscope::ui
