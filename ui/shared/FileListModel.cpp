#include "shared/FileListModel.h"

#include "shared/SizeFormat.h"

namespace swarmscope::ui {

FileListModel::FileListModel(QObject* parent) : QAbstractTableModel(parent) {}

void FileListModel::setMetainfo(const Metainfo& metainfo) {
    beginResetModel();
    m_files = metainfo.files;
    m_pieceLength = metainfo.pieceLength;
    endResetModel();
}

void FileListModel::clear() {
    beginResetModel();
    m_files.clear();
    m_pieceLength = 0;
    endResetModel();
}

int FileListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_files.size());
}

int FileListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FileListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TorrentFile& file = m_files.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case PathColumn:
            return file.path;
        case SizeColumn:
            return formatSize(file.length);
        case PiecesColumn: {
            if (file.length == 0 || m_pieceLength <= 0)
                return QStringLiteral("—");
            const qint64 first = file.offset / m_pieceLength;
            const qint64 last = (file.offset + file.length - 1) / m_pieceLength;
            return first == last ? QString::number(first) : QStringLiteral("%1–%2").arg(first).arg(last);
        }
        }
    } else if (role == Qt::TextAlignmentRole && index.column() != PathColumn) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    } else if (role == Qt::ToolTipRole && index.column() == PathColumn) {
        return tr("Written to <download folder>/%1").arg(file.path);
    } else if (role == Qt::UserRole && index.column() == SizeColumn) {
        return file.length;
    }
    return {};
}

QVariant FileListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case PathColumn:
        return tr("File");
    case SizeColumn:
        return tr("Size");
    case PiecesColumn:
        return tr("Pieces");
    }
    return {};
}

} // namespace swarmscope::ui
