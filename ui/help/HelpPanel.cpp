#include "help/HelpPanel.h"

#include "shared/SizeFormat.h"

#include "metainfo/Metainfo.h"
#include "swarm/KumarRossBound.h"

#include <QHash>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace swarmscope::ui {

namespace {

QString link(const char* view, const QString& text) {
    return QStringLiteral("<a href=\"view:%1\">%2</a>").arg(QLatin1String(view), text);
}

QString seconds(double s) {
    return std::isfinite(s) ? QStringLiteral("%1 s").arg(s, 0, 'f', s < 10 ? 1 : 0) : QStringLiteral("∞");
}

QString blocks(qint64 n) {
    return n == 1 ? HelpPanel::tr("1 block") : HelpPanel::tr("%1 blocks").arg(n);
}

QString rate(qint64 bytesPerSecond) {
    return bytesPerSecond <= 0 ? HelpPanel::tr("unlimited")
                               : formatSize(bytesPerSecond) + QStringLiteral("/s");
}

} // namespace

HelpPanel::HelpPanel(QWidget* parent) : QWidget(parent) {
    auto* content = new QWidget;
    auto* column = new QVBoxLayout(content);
    column->setContentsMargins(8, 6, 8, 6);
    column->setSpacing(2);
    auto* intro =
        new QLabel(tr("<p>Every peer here is a real BitTorrent client on this computer. These notes say what "
                      "the views beside them show; the links bring a view to the front.</p>"),
                   content);
    intro->setWordWrap(true);
    column->addWidget(intro);
    setLayout(new QVBoxLayout);
    layout()->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    layout()->addWidget(scroll);

    auto add = [&](const QString& title, const QString& body) {
        QLabel* label = addSection(title, body);
        column->addWidget(label);
        return label;
    };
    add(tr("Pieces and blocks"),
        tr("A torrent cuts its data into pieces of one size, fixed when the torrent is made, and lists the "
           "SHA-1 hash of each, so a peer can check every piece it receives. Peers ask for a piece 16 KiB "
           "block by block, and only a piece that passes its check counts. In %1 each row is a peer and each "
           "column a piece: teal it has, orange on its way, grey missing, yellow just arrived.")
            .arg(link("piecemap", tr("the piece map"))));
    m_pieces = new QLabel(content);
    m_pieces->setWordWrap(true);
    m_pieces->setForegroundRole(QPalette::PlaceholderText);
    column->addWidget(m_pieces);
    add(tr("Have, interested, choke"),
        tr("A peer that verifies a piece tells its neighbours with a HAVE message (\"#9 → #7: have piece "
           "51\" in %1). A peer is <i>interested</i> in a neighbour that has a piece it lacks. Nobody sends "
           "data to a neighbour it <i>chokes</i>: data flows only where one side is interested and the other "
           "has unchoked it. The inspector's four flag columns show these four states for each connection, "
           "and %2 draws an arrow wherever data flows.")
            .arg(link("inspector", tr("the event log")), link("graph", tr("the graph"))));
    add(tr("Rarest first"),
        tr("A peer asks first for the pieces the fewest of its neighbours have. Common pieces can be had "
           "from anyone later; rare ones might disappear with the one peer that has them. Watch %1: the bars "
           "on the left (pieces few peers hold) empty out quickly. Switch the picker to Sequential in %2 and "
           "every leecher wants the same pieces from the seeder at once.")
            .arg(link("availability", tr("the availability chart")), link("controls", tr("the controls"))));
    add(tr("Tit-for-tat and the optimistic unchoke"),
        tr("Every 10 seconds a peer unchokes the 4 neighbours that sent it the most (a seeder: that it can "
           "send the most to) and chokes the others: you upload to those who upload to you. Every 30 seconds "
           "it also unchokes one neighbour at random, the <i>optimistic unchoke</i>, so a newcomer with "
           "nothing to trade yet gets a start and better partners are found. The log says \"unchoked #5 "
           "(regular)\" or \"(optimistic)\"; %1 shows who ends up sending to whom.")
            .arg(link("matrix", tr("the who-sent-what matrix"))));
    add(tr("Endgame"), tr("With only its last few blocks missing, a peer asks several neighbours for the "
                          "same blocks and cancels the duplicates as each arrives, so the download does not "
                          "wait for one slow neighbour. It costs a few wasted bytes, right at the end."));
    m_endgame = new QLabel(content);
    m_endgame->setWordWrap(true);
    m_endgame->setForegroundRole(QPalette::PlaceholderText);
    column->addWidget(m_endgame);
    add(tr("The Kumar–Ross bound"),
        tr("No swarm can give every leecher the file F faster than T = max(F / u<sub>s</sub>, F / "
           "d<sub>min</sub>, N·F / (u<sub>s</sub> + Σu<sub>i</sub>)): the seeders (upload u<sub>s</sub>) "
           "must send every byte at least once, the slowest leecher (download d<sub>min</sub>) must receive "
           "all of it, and the N leechers' F each must be uploaded by someone. Besides F it depends only on "
           "the upload and download caps, which %1 set. A good swarm finishes close to it.")
            .arg(link("controls", tr("the controls"))));
    m_bound = new QLabel(content);
    m_bound->setObjectName(QStringLiteral("kumarRossLive"));
    m_bound->setWordWrap(true);
    m_bound->setTextFormat(Qt::RichText);
    column->addWidget(m_bound);
    column->addStretch(1);
    scroll->setWidget(content);
    updateLive();
}

QLabel* HelpPanel::addSection(const QString& title, const QString& body) {
    auto* label = new QLabel(QStringLiteral("<h3>%1</h3><p>%2</p>").arg(title.toHtmlEscaped(), body));
    label->setWordWrap(true);
    label->setTextFormat(Qt::RichText);
    label->setTextInteractionFlags(Qt::TextBrowserInteraction);
    connect(label, &QLabel::linkActivated, this, [this](const QString& href) {
        static const QHash<QString, View> views = {{QStringLiteral("view:piecemap"), View::PieceMap},
                                                   {QStringLiteral("view:graph"), View::Graph},
                                                   {QStringLiteral("view:inspector"), View::Inspector},
                                                   {QStringLiteral("view:charts"), View::Charts},
                                                   {QStringLiteral("view:availability"), View::Availability},
                                                   {QStringLiteral("view:controls"), View::Controls},
                                                   {QStringLiteral("view:matrix"), View::Matrix}};
        const auto it = views.constFind(href);
        if (it != views.cend())
            emit showView(*it);
    });
    m_sections.append({title, label});
    return label;
}

QStringList HelpPanel::sectionTitles() const {
    QStringList titles;
    for (const Section& s : m_sections)
        titles.append(s.title);
    return titles;
}

QString HelpPanel::boundText() const {
    return m_bound->text();
}

void HelpPanel::setTorrent(const std::optional<Metainfo>& metainfo) {
    m_totalSize = metainfo ? metainfo->totalSize : 0;
    m_pieceLength = metainfo ? metainfo->pieceLength : 0;
    m_pieceCount = metainfo ? metainfo->pieceCount() : 0;
    m_torrentName = metainfo ? metainfo->name : QString();
    m_lastLiveMs = -1;
    updateLive();
}

void HelpPanel::setSnapshot(const SwarmSnapshotPtr& snapshot) {
    m_snapshot = snapshot;
    // Once a second is plenty for prose, and costs nothing while the panel is hidden.
    if (!isVisible() && m_lastLiveMs >= 0)
        return;
    if (snapshot && m_lastLiveMs >= 0 && snapshot->timeMs - m_lastLiveMs < 1000)
        return;
    updateLive();
}

void HelpPanel::updateLive() {
    m_lastLiveMs = m_snapshot ? m_snapshot->timeMs : 0;
    if (m_pieceCount > 0)
        m_pieces->setText(tr("Here: %1 is %2 in %3 of %4, that is %5 per piece.")
                              .arg(m_torrentName.toHtmlEscaped(), formatSize(m_totalSize),
                                   m_pieceCount == 1 ? tr("1 piece") : tr("%1 pieces").arg(m_pieceCount),
                                   formatSize(m_pieceLength),
                                   blocks(qMax<qint64>(1, (m_pieceLength + 16383) / 16384))));
    else
        m_pieces->setText(tr("Create or open a torrent to see its pieces here."));

    int seeders = 0;
    int endgame = 0;
    SwarmCapacities capacities;
    capacities.fileSize = m_totalSize;
    QList<double> done;
    int leechers = 0;
    if (m_snapshot) {
        for (const LabPeerSnapshot& p : m_snapshot->peers) {
            if (p.state == LabPeerState::Stopped || p.state == LabPeerState::Error)
                continue;
            if (p.role == TorrentRole::Seeder) {
                ++seeders;
                capacities.seederUploads.append(p.conditions.uploadRate);
                continue;
            }
            ++leechers;
            endgame += p.endgame ? 1 : 0;
            capacities.leecherUploads.append(p.conditions.uploadRate);
            capacities.leecherDownloads.append(p.conditions.downloadRate);
            if (p.completionSeconds() >= 0)
                done.append(p.completionSeconds());
        }
    }
    m_endgame->setText(leechers == 0
                           ? tr("No leechers yet.")
                           : tr("Right now %1 of %2 leechers are in endgame.").arg(endgame).arg(leechers));

    m_boundSeconds = m_totalSize > 0 ? kumarRossBoundSeconds(capacities) : std::nan("");
    if (m_totalSize <= 0 || leechers == 0) {
        m_bound->setText(tr("<i>With a torrent and leechers, this swarm's own bound appears here.</i>"));
        return;
    }
    if (!std::isfinite(m_boundSeconds)) {
        m_bound->setText(
            std::isinf(m_boundSeconds)
                ? tr("<b>This swarm:</b> no seeder, so the bound is infinite: nobody has the whole file.")
                : tr("<b>This swarm:</b> every cap is off, so the bound is 0: on loopback, only the "
                     "machine's speed limits it. Set upload caps in the controls to see it."));
        return;
    }
    // The three terms, with the peers' actual caps, so the student sees which one decides.
    qint64 seedUpload = 0;
    bool seedUnlimited = false;
    for (qint64 r : capacities.seederUploads) {
        seedUnlimited = seedUnlimited || r <= 0;
        seedUpload += r;
    }
    qint64 leecherUpload = 0;
    bool leechersUnlimited = false;
    for (qint64 r : capacities.leecherUploads) {
        leechersUnlimited = leechersUnlimited || r <= 0;
        leecherUpload += r;
    }
    qint64 slowestDown = 0;
    for (qint64 r : capacities.leecherDownloads)
        if (r > 0 && (slowestDown == 0 || r < slowestDown))
            slowestDown = r;
    const double file = double(m_totalSize);
    // A term whose cap is off costs nothing: it says so rather than "0 s".
    const QString noCap = tr("0 (no cap)");
    const QString t1 = seedUnlimited ? noCap : seconds(file / double(seedUpload));
    const QString t2 = slowestDown > 0 ? seconds(file / double(slowestDown)) : noCap;
    const QString t3 = seedUnlimited || leechersUnlimited
                           ? noCap
                           : seconds(leechers * file / double(seedUpload + leecherUpload));
    QString text =
        tr("<b>This swarm:</b> F = %1, %2 uploading %3, %4 uploading %5 in all, slowest download %6.<br>"
           "F/u<sub>s</sub> = %7, F/d<sub>min</sub> = %8, N·F/(u<sub>s</sub>+Σu<sub>i</sub>) = %9: "
           "<b>bound %10</b>.")
            .arg(formatSize(m_totalSize), seeders == 1 ? tr("1 seeder") : tr("%1 seeders").arg(seeders),
                 seedUnlimited ? tr("without a cap") : rate(seedUpload),
                 leechers == 1 ? tr("1 leecher") : tr("%1 leechers").arg(leechers),
                 leechersUnlimited ? tr("without a cap") : rate(leecherUpload), rate(slowestDown), t1, t2, t3)
            .arg(seconds(m_boundSeconds));
    if (!done.isEmpty()) {
        const double slowest = *std::max_element(done.cbegin(), done.cend());
        text += tr("<br>%1 of %2 leechers done so far, the slowest in %3: %4 × the bound.")
                    .arg(done.size())
                    .arg(leechers)
                    .arg(seconds(slowest))
                    .arg(slowest / m_boundSeconds, 0, 'f', 2);
    }
    m_bound->setText(text);
}

} // namespace swarmscope::ui
