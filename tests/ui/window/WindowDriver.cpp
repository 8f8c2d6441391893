#include "WindowDriver.h"

#include "charts/ChartsPanel.h"
#include "piecemap/PieceMapWidget.h"
#include "shared/LabController.h"

#include <QAction>
#include <QContextMenuEvent>
#include <QDragEnterEvent>
#include <QLineSeries>
#include <QMenu>
#include <QMimeData>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>
#include <QWindow>

#include <algorithm>
#include <memory>

namespace swarmscope::testsupport {

SwarmLabConfig labIn(const QTemporaryDir& dir) {
    SwarmLabConfig config;
    config.labDir = dir.path();
    return config;
}

StallMeter::StallMeter() {
    m_timer.setInterval(10);
    m_timer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&m_timer, &QTimer::timeout, [this]() {
        const qint64 now = m_clock.elapsed();
        m_maxGapMs = std::max(m_maxGapMs, now - m_last);
        m_last = now;
    });
    m_clock.start();
    m_timer.start();
}

bool dropOnWindow(QWidget* window, const QList<QUrl>& urls) {
    QWindow* handle = window->windowHandle();
    if (!handle)
        return false;
    QMimeData mime;
    mime.setUrls(urls);
    const Qt::DropActions actions = Qt::CopyAction | Qt::MoveAction | Qt::LinkAction;
    const QPoint centre(window->width() / 2, window->height() / 2);
    QDragEnterEvent enter(centre, actions, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(handle, &enter);
    QDragMoveEvent move(centre + QPoint(12, 8), actions, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(handle, &move);
    QDropEvent drop(QPointF(centre + QPoint(12, 8)), actions, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(handle, &drop);
    return enter.isAccepted() && move.isAccepted() && drop.isAccepted();
}

QToolButton* toolbarButton(ui::MainWindow& window, const QString& actionName) {
    auto* action = window.findChild<QAction*>(actionName);
    auto* toolbar = window.findChild<QToolBar*>(QStringLiteral("mainToolbar"));
    return action && toolbar ? qobject_cast<QToolButton*>(toolbar->widgetForAction(action)) : nullptr;
}

double chartedDownloadRate(ui::ChartsPanel* charts, double seconds) {
    charts->refreshNow();
    const QList<QPointF> points = charts->downloadSeries()->points();
    double sum = 0;
    int n = 0;
    for (const QPointF& p : points) {
        if (p.x() >= -seconds) {
            sum += p.y();
            ++n;
        }
    }
    return n > 0 ? sum / n * charts->rateUnitBytes() : 0.0;
}

int countRole(const SwarmSnapshotPtr& snapshot, TorrentRole role) {
    int n = 0;
    if (snapshot)
        for (const LabPeerSnapshot& peer : snapshot->peers)
            n += peer.role == role ? 1 : 0;
    return n;
}

double meanLeecherProgress(const SwarmSnapshotPtr& snapshot) {
    double sum = 0;
    int n = 0;
    if (snapshot)
        for (const LabPeerSnapshot& peer : snapshot->peers)
            if (peer.role == TorrentRole::Leecher) {
                sum += peer.progress();
                ++n;
            }
    return n > 0 ? sum / n : 0.0;
}

bool everyPeerShownComplete(ui::MainWindow& window, int peers) {
    const SwarmSnapshotPtr snapshot = window.currentSnapshot();
    auto* map = window.findChild<ui::PieceMapWidget*>();
    if (!snapshot || snapshot->peers.size() != peers)
        return false;
    for (const LabPeerSnapshot& peer : snapshot->peers)
        if (map->shownProgress(peer.id) != 1.0)
            return false;
    return true;
}

bool chooseFromPeerMenu(ui::MainWindow& window, int peer, const QString& text, QString* why) {
    auto* map = window.findChild<ui::PieceMapWidget*>();
    const QRect bar = map->pieceBarRect(peer);
    if (!bar.isValid()) {
        *why = QStringLiteral("peer %1 has no row in the piece map").arg(peer);
        return false;
    }
    auto chosen = std::make_shared<bool>(false);
    auto selected = std::make_shared<int>(0);
    QPointer<ui::MainWindow> shown(&window);
    QTimer::singleShot(50, [chosen, selected, shown, text]() {
        auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
        if (!menu)
            return;
        // The right click selects the peer everywhere before the menu acts on it.
        *selected = shown ? shown->selectedPeer() : 0;
        for (QAction* action : menu->actions()) {
            if (action->text().remove(u'&').startsWith(text) && action->isEnabled()) {
                menu->setActiveAction(action);
                QTest::keyClick(menu, Qt::Key_Return);
                *chosen = true;
                return;
            }
        }
        menu->close();
    });
    const QPoint at(bar.left() + 10, bar.center().y());
    QContextMenuEvent event(QContextMenuEvent::Mouse, at, map->viewport()->mapToGlobal(at));
    QCoreApplication::sendEvent(map->viewport(), &event);
    if (!*chosen) {
        *why = QStringLiteral("no enabled \"%1\" in the menu of peer %2").arg(text).arg(peer);
        return false;
    }
    if (*selected != peer) {
        *why = QStringLiteral("the right click did not select peer %1").arg(peer);
        return false;
    }
    return true;
}

const LabPeerSnapshot* peerIn(ui::MainWindow& window, int peer) {
    const SwarmSnapshotPtr snapshot = window.currentSnapshot();
    return snapshot ? snapshot->peer(peer) : nullptr;
}

ui::DemoSettings slowDemo(int leechers) {
    ui::DemoSettings demo;
    demo.fileSize = 4 * 1024 * 1024;
    demo.pieceLength = 32 * 1024;
    demo.leechers = leechers;
    demo.seederUploadRate = 128 * 1024;
    demo.leecherUploadRate = 64 * 1024;
    return demo;
}

bool startDemoAndWait(ui::MainWindow& window, const ui::DemoSettings& demo) {
    QSignalSpy started(window.controller(), &ui::LabController::demoStarted);
    window.startDemoWith(demo);
    if (!started.wait(30000))
        return false;
    const int torrent = started.first().first().toInt();
    return QTest::qWaitFor(
        [&]() {
            const SwarmSnapshotPtr s = window.currentSnapshot();
            if (!s || window.controller()->activeTorrent() != torrent || s->peers.size() != 1 + demo.leechers)
                return false;
            for (const LabPeerSnapshot& p : s->peers)
                if (p.state != LabPeerState::Downloading && p.state != LabPeerState::Seeding)
                    return false;
            return true;
        },
        20000);
}

LabPeerState stateOf(ui::MainWindow& window, int peer) {
    const LabPeerSnapshot* p = peerIn(window, peer);
    return p ? p->state : LabPeerState::Error;
}

int leecherAt(ui::MainWindow& window, int index) {
    const SwarmSnapshotPtr snapshot = window.currentSnapshot();
    if (!snapshot)
        return 0;
    int seen = 0;
    for (const LabPeerSnapshot& p : snapshot->peers)
        if (p.role == TorrentRole::Leecher && seen++ == index)
            return p.id;
    return 0;
}

} // namespace swarmscope::testsupport
