#include "observe/ObservedPeersView.h"

#include "scenario/Units.h"

#include <QPaintEvent>
#include <QPainter>

namespace swarmscope::ui {

ObservedPeersView::ObservedPeersView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("observedPeers"));
    setMinimumHeight(kRowHeight * 3);
}

QString ObservedPeersView::keyOf(const ObservedPeer& peer) {
    return peer.address.toString() + u':' + QString::number(peer.port);
}

QString ObservedPeersView::rowLabel(const ObservedPeer& peer, int pieceCount) {
    const QString share = QString::number(pieceCount > 0 ? 100.0 * peer.have() / pieceCount : 0.0, 'f', 1);
    QString rate;
    if (!peer.connected)
        rate = tr("gone");
    else if (peer.seed)
        rate = tr("seed");
    else if (peer.rateKnown)
        rate = QStringLiteral("≈%1/s").arg(formatSize(peer.estimatedRate));
    else
        rate = QStringLiteral("≈ …");
    return QStringLiteral("%1:%2  %3  %4%  %5")
        .arg(peer.address.toString())
        .arg(peer.port)
        .arg(peer.client.isEmpty() ? tr("(no name)") : peer.client.left(22), share, rate);
}

void ObservedPeersView::setObservation(const SwarmObservation& observation) {
    m_arrived.clear();
    QHash<QString, Bitfield> now;
    for (const ObservedPeer& peer : observation.peers) {
        const QString key = keyOf(peer);
        now.insert(key, peer.pieces);
        const auto before = m_previous.constFind(key);
        if (before == m_previous.constEnd() || before->size() != peer.pieces.size())
            continue;
        Bitfield arrived(peer.pieces.size());
        bool any = false;
        for (int i = 0; i < peer.pieces.size(); ++i)
            if (peer.pieces.testBit(i) && !before->testBit(i)) {
                arrived.setBit(i);
                any = true;
            }
        if (any)
            m_arrived.insert(key, arrived);
    }
    m_previous = now;
    m_observation = observation;
    setMinimumHeight(kRowHeight * int(observation.peers.size() + 2));
    updateGeometry();
    update();
}

QSize ObservedPeersView::sizeHint() const {
    return {kLabelWidth + 480, kRowHeight * int(m_observation.peers.size() + 2)};
}

void ObservedPeersView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    const int barX = kLabelWidth;
    const int barWidth = qMax(40, width() - kLabelWidth - 8);
    const int pieces = m_observation.pieceCount;
    const QFontMetrics metrics(font());
    int y = 0;

    // The swarm's availability: one strip, darker where more connected peers hold the piece.
    painter.setPen(palette().text().color());
    painter.drawText(QRect(6, y, kLabelWidth - 12, kRowHeight), Qt::AlignVCenter | Qt::AlignLeft,
                     tr("availability among %n connected peer(s)", nullptr, m_observation.connectedCount));
    if (pieces > 0) {
        const int most = qMax(1, m_observation.connectedCount);
        for (int x = 0; x < barWidth; ++x) {
            const auto [first, end] = PieceMapRenderer::piecesAt(x, barWidth, pieces);
            int least = most;
            for (int i = first; i < end && i < m_observation.availability.size(); ++i)
                least = qMin(least, m_observation.availability.at(i));
            const double share = double(least) / most;
            const QColor missing = m_renderer.palette().missing;
            const QColor have = m_renderer.palette().have.darker(130);
            painter.setPen(QColor::fromRgbF(missing.redF() + (have.redF() - missing.redF()) * share,
                                            missing.greenF() + (have.greenF() - missing.greenF()) * share,
                                            missing.blueF() + (have.blueF() - missing.blueF()) * share));
            painter.drawLine(barX + x, y + 3, barX + x, y + kRowHeight - 4);
        }
    }
    y += kRowHeight + 4;

    for (const ObservedPeer& peer : m_observation.peers) {
        const QRect label(6, y, kLabelWidth - 12, kRowHeight);
        painter.setPen(peer.connected ? palette().text().color() : palette().placeholderText().color());
        painter.drawText(label, Qt::AlignVCenter | Qt::AlignLeft,
                         metrics.elidedText(rowLabel(peer, pieces), Qt::ElideRight, label.width()));
        if (pieces > 0 && peer.pieces.size() == pieces) {
            const Bitfield arrived = m_arrived.value(keyOf(peer));
            QImage row = m_renderer.renderRow(peer.pieces, Bitfield(),
                                              arrived.size() == pieces ? arrived : Bitfield(), barWidth);
            const QRect bar(barX, y + 3, barWidth, kRowHeight - 6);
            painter.drawImage(bar, row);
            if (!peer.connected)
                painter.fillRect(bar, QColor(255, 255, 255, 150));
        }
        y += kRowHeight;
    }
}

} // namespace swarmscope::ui
