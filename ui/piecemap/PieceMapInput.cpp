// The piece map under the mouse: selecting rows (click, Ctrl+click, Shift+click, a rubber band) and the
// tooltips that name a piece, its availability, its sender and its file.
#include "piecemap/PieceMapWidget.h"

#include "shared/PeerSelection.h"

#include <QApplication>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QRubberBand>
#include <QToolTip>

namespace swarmscope::ui {

QString PieceMapWidget::pieceToolTip(int peerId, int piece) const {
    const auto it = m_rowOfPeer.constFind(peerId);
    if (it == m_rowOfPeer.cend() || piece < 0 || piece >= m_rows[size_t(*it)].have.size())
        return {};
    const Row& row = m_rows[size_t(*it)];
    int peersOfTorrent = 0;
    for (const Row& r : m_rows)
        peersOfTorrent += r.torrent == row.torrent ? 1 : 0;
    QString state;
    if (row.have.testBit(piece))
        state = tr("have");
    else if (piece < row.inFlight.size() && row.inFlight.testBit(piece))
        state = tr("downloading");
    else
        state = tr("missing");
    QString from;
    if (row.seeder && row.have.testBit(piece)) {
        from = tr("seeded");
    } else if (row.have.testBit(piece)) {
        const int sender = m_senders.value(row.peer).value(piece, 0);
        from = sender > 0 ? QStringLiteral("#%1").arg(sender) : tr("unknown");
    } else {
        from = QStringLiteral("—");
    }
    QString text = tr("%1, piece %2 (%3)\navailability: %4 of %5 peers\nfrom: %6")
                       .arg(row.name)
                       .arg(piece)
                       .arg(state)
                       .arg(availability(row.torrent, piece))
                       .arg(peersOfTorrent)
                       .arg(from);
    if (m_files.isMultiFile() && row.have.size() == m_files.pieceCount()) {
        for (int file : m_files.filesOfPiece(piece)) {
            const TorrentFileLayout::File& f = m_files.file(file);
            text += tr("\nfile: %1 (%2 has %3 of its %4 pieces, %5 %)")
                        .arg(f.path, row.name)
                        .arg(m_files.piecesHad(file, row.have))
                        .arg(f.endPiece - f.firstPiece)
                        .arg(m_files.progress(file, row.have) * 100.0, 0, 'f', 1);
        }
    }
    if (row.state == LabPeerState::Stopped)
        text += tr("\n%1 is killed: nobody can download from it until it is restarted.").arg(row.name);
    return text;
}

void PieceMapWidget::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    m_pressPos = event->position().toPoint();
    m_banding = false;
    const int peer = peerAt(m_pressPos);
    if (peer > 0) {
        m_selection->click(peer, event->modifiers(), peerOrder());
        if (m_selection->current() == peer)
            emit peerSelected(peer);
    } else if (!(event->modifiers() & (Qt::ControlModifier | Qt::ShiftModifier)))
        m_selection->clear(); // a click below the rows lets go of every peer
}

void PieceMapWidget::mouseMoveEvent(QMouseEvent* event) {
    if (!(event->buttons() & Qt::LeftButton)) {
        QAbstractScrollArea::mouseMoveEvent(event);
        return;
    }
    const QPoint at = event->position().toPoint();
    if (!m_banding && (at - m_pressPos).manhattanLength() < QApplication::startDragDistance())
        return;
    m_banding = true;
    const QRect band = QRect(m_pressPos, at).normalized();
    m_band->setGeometry(QRect(0, band.top(), viewport()->width(), band.height()));
    m_band->show();
    // Every row the band touches, in order.
    QList<int> peers;
    const int first = qMax(0, rowAt(qMax(0, band.top())));
    for (int i = first; i < int(m_rows.size()); ++i) {
        if (rowRect(i).top() > band.bottom())
            break;
        peers.append(m_rows[size_t(i)].peer);
    }
    m_selection->band(peers, event->modifiers());
}

void PieceMapWidget::mouseReleaseEvent(QMouseEvent* event) {
    if (m_banding) {
        m_band->hide();
        m_banding = false;
    }
    QAbstractScrollArea::mouseReleaseEvent(event);
}

bool PieceMapWidget::viewportEvent(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int peer = peerAt(help->pos());
        const int piece = pieceAt(help->pos());
        QString text;
        if (peer > 0 && piece >= 0) {
            text = pieceToolTip(peer, piece);
        } else if (peer > 0) {
            const Row& row = m_rows[size_t(m_rowOfPeer.value(peer))];
            text = row.name + QStringLiteral(" — ") +
                   (row.state == LabPeerState::Stopped ? tr("killed") : labPeerStateName(row.state)) +
                   QStringLiteral(", ") + tr("%1 of %2 pieces").arg(row.have.count()).arg(row.have.size());
        }
        if (text.isEmpty())
            return QAbstractScrollArea::viewportEvent(event); // the widget's own tooltip, if it has one
        QToolTip::showText(help->globalPos(), text, viewport());
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

} // namespace swarmscope::ui
