#include "observe/ObserverWindow.h"

#include "observe/ObservedPeersView.h"
#include "observe/ObserverSession.h"

#include "scenario/Units.h"

#include <QCloseEvent>
#include <QLabel>
#include <QScrollArea>
#include <QThread>
#include <QVBoxLayout>

namespace swarmscope::ui {

ObserverWindow::ObserverWindow(const SwarmObserver::Params& params, const QHostAddress& listenAddress,
                               quint16 listenPort, QWidget* parent)
    : QWidget(parent, Qt::Window) {
    setObjectName(QStringLiteral("observerWindow"));
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Observing a swarm"));
    m_title = new QLabel(tr("Joining the swarm…"), this);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    big.setBold(true);
    m_title->setFont(big);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    auto* legend = new QLabel(
        tr("Each row is a peer this observer reached; its bitmap is what the peer announced in its own "
           "BITFIELD "
           "and HAVE messages (yellow: announced in the last moment). The observer downloads nothing. "
           "<b>≈ rates are estimates</b>: pieces announced in the last 10 s times the piece size. Some "
           "clients "
           "send HAVEs in batches (Transmission about every 10 s to a peer that asks for nothing), so their "
           "rows "
           "move in steps."),
        this);
    legend->setWordWrap(true);
    legend->setTextFormat(Qt::RichText);
    m_peers = new ObservedPeersView;
    m_scroll = new QScrollArea(this);
    m_scroll->setWidget(m_peers);
    m_scroll->setWidgetResizable(true);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("observerStatus"));
    m_status->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_summary);
    layout->addWidget(legend);
    layout->addWidget(m_scroll, 1);
    layout->addWidget(m_status);
    resize(1100, 520);

    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("observer"));
    m_session = new ObserverSession(params, listenAddress, listenPort);
    m_session->moveToThread(m_thread);
    connect(m_thread, &QThread::started, m_session, &ObserverSession::start);
    connect(m_thread, &QThread::finished, m_session, &QObject::deleteLater);
    connect(m_session, &ObserverSession::listening, this,
            [this](const QString& address) { setStatus(tr("Listening as a peer on %1.").arg(address)); });
    connect(m_session, &ObserverSession::note, this, &ObserverWindow::setStatus);
    connect(m_session, &ObserverSession::joined, this, &ObserverWindow::onJoined);
    connect(m_session, &ObserverSession::observed, this, &ObserverWindow::onObserved);
    connect(m_session, &ObserverSession::failed, this,
            [this](const QString& error) { setStatus(tr("Stopped: %1").arg(error)); });
    connect(m_session, &ObserverSession::finished, this, [this] {
        m_finished = true;
        m_thread->quit();
        if (m_closing)
            close();
    });
    m_thread->start();
}

ObserverWindow::~ObserverWindow() {
    m_thread->quit();
    m_thread->wait();
    delete m_session; // still there when the thread ended without running its deferred deletes
}

QString ObserverWindow::statusText() const {
    return m_status->text();
}

void ObserverWindow::setStatus(const QString& text) {
    m_status->setText(text);
}

void ObserverWindow::onJoined(const Metainfo& metainfo) {
    setWindowTitle(tr("Observing %1").arg(metainfo.name));
    m_title->setText(tr("Observing %1").arg(metainfo.name));
    setStatus(tr("Joined the swarm as a peer that downloads nothing; info-hash %1.")
                  .arg(QString::fromLatin1(metainfo.infoHash.toHex())));
}

void ObserverWindow::onObserved(const SwarmObservation& observation) {
    m_last = observation;
    m_summary->setText(
        tr("%1 pieces of %2, %3 in all · %4 peer(s) connected, %5 seed(s), %6 seen · watched for "
           "%7 s")
            .arg(observation.pieceCount)
            .arg(formatSize(observation.pieceLength), formatSize(observation.totalSize))
            .arg(observation.connectedCount)
            .arg(observation.seedCount)
            .arg(observation.peers.size())
            .arg(observation.timeMs / 1000));
    m_peers->setObservation(observation);
}

void ObserverWindow::closeEvent(QCloseEvent* event) {
    if (m_finished) {
        event->accept();
        return;
    }
    // Leave the swarm properly first (the trackers are told); the window goes once that is done.
    m_closing = true;
    hide();
    QMetaObject::invokeMethod(m_session, &ObserverSession::stop, Qt::QueuedConnection);
    event->ignore();
}

} // namespace swarmscope::ui
