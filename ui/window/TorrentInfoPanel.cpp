#include "window/TorrentInfoPanel.h"

#include "shared/FileListModel.h"
#include "shared/SizeFormat.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace swarmscope::ui {

TorrentInfoPanel::TorrentInfoPanel(QWidget* parent) : QWidget(parent) {
    m_files = new FileListModel(this);
    m_summary = new QLabel(this);
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    m_fileView = new QTableView(this);
    m_fileView->setModel(m_files);
    QHeaderView* header = m_fileView->horizontalHeader();
    header->setSectionResizeMode(FileListModel::PathColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(FileListModel::SizeColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(FileListModel::PiecesColumn, QHeaderView::ResizeToContents);
    m_fileView->verticalHeader()->hide();
    m_fileView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_fileView->setAlternatingRowColors(true);
    m_fileView->setToolTip(tr("The torrent's files and the range of pieces each one touches."));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_fileView, 1);
    setMetainfo(std::nullopt);
}

void TorrentInfoPanel::setMetainfo(const std::optional<Metainfo>& metainfo) {
    if (!metainfo) {
        m_files->clear();
        m_summary->setText(tr("<i>No torrent yet.</i>"));
        return;
    }
    const Metainfo& meta = *metainfo;
    m_files->setMetainfo(meta);
    const QStringList trackers = meta.trackers();
    m_summary->setText(
        tr("<b>%1</b>"
           "<table>"
           "<tr><td>Info&#8209;hash&nbsp;</td><td><tt>%2</tt></td></tr>"
           "<tr><td>Size</td><td>%3 in %4 file(s)</td></tr>"
           "<tr><td>Pieces</td><td>%5 × %6</td></tr>"
           "<tr><td>Tracker</td><td>%7</td></tr>"
           "<tr><td>Private</td><td>%8</td></tr>"
           "</table>")
            .arg(meta.name.toHtmlEscaped(), meta.infoHashHex(), formatSize(meta.totalSize))
            .arg(meta.files.size())
            .arg(meta.pieceCount())
            .arg(formatSize(meta.pieceLength))
            .arg(trackers.isEmpty() ? tr("none") : trackers.join(QStringLiteral("<br>")).toHtmlEscaped(),
                 meta.isPrivate ? tr("yes") : tr("no")));
}

} // namespace swarmscope::ui
