#include "observe/ObserveDialog.h"

#include "window/TorrentImporter.h"

#include "metainfo/MagnetLink.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QUrl>
#include <QVBoxLayout>

namespace swarmscope::ui {

ObserveDialog::ObserveDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Observe Swarm"));
    auto* intro = new QLabel(
        tr("Join a swarm that this lab does not run, as a peer that downloads nothing, and watch every peer "
           "it can reach: their pieces, from their own BITFIELD and HAVE messages, and their download rates, "
           "estimated from how often they announce a piece."),
        this);
    intro->setWordWrap(true);

    m_fromTorrent = new QRadioButton(tr("&Torrent file:"), this);
    m_fromMagnet = new QRadioButton(tr("&Magnet link:"), this);
    m_torrentPath = new QLineEdit(this);
    m_torrentPath->setObjectName(QStringLiteral("observeTorrentPath"));
    m_torrentPath->setPlaceholderText(tr("a .torrent file"));
    auto* browse = new QPushButton(tr("&Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Torrent of the swarm to observe"), {},
                                                          tr("Torrent files (*.torrent);;All files (*)"));
        if (!path.isEmpty())
            setTorrentFile(path);
    });
    m_magnet = new QLineEdit(this);
    m_magnet->setObjectName(QStringLiteral("observeMagnet"));
    m_magnet->setPlaceholderText(QStringLiteral("magnet:?xt=urn:btih:…&tr=…"));
    auto* paste = new QPushButton(tr("&Paste"), this);
    connect(paste, &QPushButton::clicked, this,
            [this] { setMagnet(QApplication::clipboard()->text().trimmed()); });
    m_tracker = new QLineEdit(this);
    m_tracker->setObjectName(QStringLiteral("observeTracker"));
    m_tracker->setPlaceholderText(tr("optional, besides the torrent's or the link's own"));
    m_listen = new QLineEdit(QStringLiteral("127.0.0.1:0"), this);
    m_listen->setObjectName(QStringLiteral("observeListen"));
    m_listen->setToolTip(
        tr("The address and port the observer listens on as a peer; port 0 picks a free one. "
           "On a network of several hosts, give this host's address on that network."));
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("observeError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b00020"));
    m_error->hide();

    auto* torrentRow = new QHBoxLayout;
    torrentRow->addWidget(m_torrentPath, 1);
    torrentRow->addWidget(browse);
    auto* magnetRow = new QHBoxLayout;
    magnetRow->addWidget(m_magnet, 1);
    magnetRow->addWidget(paste);
    auto* form = new QFormLayout;
    form->addRow(m_fromTorrent, torrentRow);
    form->addRow(m_fromMagnet, magnetRow);
    form->addRow(tr("Also ask &tracker:"), m_tracker);
    form->addRow(tr("&Listen on:"), m_listen);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Observe"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ObserveDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ObserveDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);

    // A magnet link on the clipboard is the likely reason to come here.
    const QString clip = QApplication::clipboard()->text().trimmed();
    if (clip.startsWith(QStringLiteral("magnet:"), Qt::CaseInsensitive))
        setMagnet(clip);
    else
        m_fromTorrent->setChecked(true);
    connect(m_torrentPath, &QLineEdit::textEdited, this, [this] { m_fromTorrent->setChecked(true); });
    connect(m_magnet, &QLineEdit::textEdited, this, [this] { m_fromMagnet->setChecked(true); });
    resize(640, sizeHint().height());
}

void ObserveDialog::setTorrentFile(const QString& path) {
    m_torrentPath->setText(path);
    m_fromTorrent->setChecked(true);
}

void ObserveDialog::setMagnet(const QString& uri) {
    m_magnet->setText(uri);
    m_fromMagnet->setChecked(true);
}

void ObserveDialog::setTracker(const QString& url) {
    m_tracker->setText(url);
}

void ObserveDialog::setListen(const QString& hostPort) {
    m_listen->setText(hostPort);
}

QString ObserveDialog::validate() {
    SwarmObserver::Params params;
    if (m_fromMagnet->isChecked()) {
        QString why;
        const std::optional<MagnetLink> link = parseMagnetLink(m_magnet->text().trimmed(), &why);
        if (!link)
            return tr("The magnet link cannot be used: %1").arg(why);
        params.infoHash = link->infoHash;
        params.trackers = link->trackers;
        QString bad;
        const auto peers = magnetPeerAddresses(*link, &bad);
        if (!peers)
            return tr("The magnet's peer '%1' is not an IP address and port").arg(bad);
        params.peers = *peers;
    } else {
        if (m_torrentPath->text().trimmed().isEmpty())
            return tr("Choose a .torrent file, or give a magnet link.");
        QString error;
        const std::optional<Metainfo> metainfo = readTorrentFile(m_torrentPath->text().trimmed(), &error);
        if (!metainfo)
            return error;
        params.metainfo = *metainfo;
    }
    const QString tracker = m_tracker->text().trimmed();
    if (!tracker.isEmpty()) {
        const QUrl url(tracker, QUrl::StrictMode);
        const bool udp = url.scheme() == u"udp";
        if (!url.isValid() || url.host().isEmpty() ||
            (url.scheme() != u"http" && url.scheme() != u"https" && !udp) || (udp && url.port() <= 0))
            return tr("'%1' is not an http:// or udp:// tracker URL").arg(tracker);
        params.trackers.append(tracker);
    }
    if (params.trackers.isEmpty() && params.peers.isEmpty() && params.metainfo.trackers().isEmpty())
        return tr("Nothing names a tracker or a peer to ask; give a tracker.");

    const QString listen = m_listen->text().trimmed();
    const qsizetype colon = listen.lastIndexOf(u':');
    QString host = listen.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = listen.mid(colon + 1).toUInt(&ok);
    QHostAddress address;
    if (colon <= 0 || !ok || port > 65535 || !address.setAddress(host))
        return tr("'%1' is not HOST:PORT such as 127.0.0.1:0").arg(listen);
    m_params = params;
    m_listenAddress = address;
    m_listenPort = quint16(port);
    return {};
}

void ObserveDialog::accept() {
    const QString error = validate();
    if (!error.isEmpty()) {
        m_error->setText(error);
        m_error->show();
        return;
    }
    QDialog::accept();
}

} // namespace swarmscope::ui
