#include "window/EmptySwarmOverlay.h"

#include <QAction>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>

namespace swarmscope::ui {

namespace {

QToolButton* buttonFor(QAction* action, QWidget* parent) {
    auto* button = new QToolButton(parent);
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    button->setAutoRaise(false);
    return button;
}

QString stepText(int number, bool done, const QString& title, const QString& detail) {
    const QString mark = done ? QStringLiteral("<span style='color:#2e7d32'>&#10004;</span>")
                              : QStringLiteral("<b>%1.</b>").arg(number);
    return QStringLiteral("<p style='font-size:large'>%1&nbsp; <b>%2</b></p><p>%3</p>")
        .arg(mark, title, detail);
}

} // namespace

EmptySwarmOverlay::EmptySwarmOverlay(const Actions& actions, QWidget* parent) : QWidget(parent) {
    setAutoFillBackground(true);
    // It must not hold the docks back while it is hidden behind the piece map.
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    m_title = new QLabel(this);
    m_title->setAlignment(Qt::AlignCenter);

    auto* grid = new QGridLayout;
    grid->setHorizontalSpacing(24);
    grid->setVerticalSpacing(10);
    const QList<QList<QAction*>> buttons = {
        {actions.create, actions.open}, {actions.addSeeders}, {actions.addLeechers}};
    for (int i = 0; i < 3; ++i) {
        m_steps[i] = new QLabel(this);
        m_steps[i]->setTextFormat(Qt::RichText);
        m_steps[i]->setWordWrap(true);
        m_steps[i]->setMinimumWidth(280);
        auto* row = new QHBoxLayout;
        for (QAction* action : buttons[i])
            if (action)
                row->addWidget(buttonFor(action, this));
        row->addStretch(1);
        grid->addWidget(m_steps[i], i, 0);
        grid->addLayout(row, i, 1, Qt::AlignVCenter);
    }

    auto* line = new QFrame(this);
    line->setFrameShape(QFrame::HLine);
    line->setFrameShadow(QFrame::Sunken);
    auto* demoText = new QLabel(tr("Or let Swarmscope make one: an 8 MiB file, one seeder and eight "
                                   "leechers, with caps slow enough to watch."),
                                this);
    demoText->setWordWrap(true);
    auto* demoRow = new QHBoxLayout;
    demoRow->addWidget(demoText, 1);
    if (actions.demo)
        demoRow->addWidget(buttonFor(actions.demo, this));

    // The clock comes before the swarm: a lab changes its clock only while it holds no torrent.
    auto* clockText =
        new QLabel(tr("<b>The lab's clock.</b> Real time: peers talk TCP on 127.0.0.1 and outside "
                      "clients can join. Simulated time: a simulated network on a virtual "
                      "clock that you can pause, slow down, speed up and step, and that repeats "
                      "exactly for the same seed."),
                   this);
    clockText->setWordWrap(true);
    clockText->setTextFormat(Qt::RichText);
    auto* clockRow = new QHBoxLayout;
    clockRow->addWidget(clockText, 1);
    for (QAction* action : {actions.realTime, actions.simulatedTime})
        if (action)
            clockRow->addWidget(buttonFor(action, this));

    auto* box = new QVBoxLayout;
    box->addWidget(m_title);
    box->addSpacing(8);
    box->addLayout(clockRow);
    box->addSpacing(8);
    box->addLayout(grid);
    box->addSpacing(8);
    box->addWidget(line);
    box->addLayout(demoRow);

    // Centred, at a readable width, whatever the window size; where the window is too small for it (a
    // 1280x720 screen, a projector's zoom), it scrolls rather than cutting its sentences short.
    auto* page = new QWidget;
    page->setAutoFillBackground(false);
    auto* centre = new QHBoxLayout;
    centre->addStretch(1);
    centre->addLayout(box, 4);
    centre->addStretch(1);
    auto* pageLayout = new QVBoxLayout(page);
    pageLayout->addStretch(1);
    pageLayout->addLayout(centre);
    pageLayout->addStretch(2);
    auto* scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("emptySwarmScroll"));
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(page);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll);
    setProgress(QString(), 0, 0);
}

void EmptySwarmOverlay::setProgress(const QString& torrentName, int seeders, int leechers) {
    const bool haveTorrent = !torrentName.isEmpty();
    m_title->setText(haveTorrent ? tr("<h2>Nearly a swarm</h2><p>The torrent is in the lab; leechers make it "
                                      "a swarm:</p>")
                                 : tr("<h2>An empty swarm</h2><p>The lab's tracker is running. A swarm needs "
                                      "three things:</p>"));
    m_steps[0]->setText(
        stepText(1, haveTorrent, tr("Create or open a torrent"),
                 haveTorrent ? tr("Showing <b>%1</b>.").arg(torrentName.toHtmlEscaped())
                             : tr("Drop a file or folder on this window, or a .torrent to open it.")));
    m_steps[1]->setText(stepText(2, seeders > 0, tr("Add seeders"),
                                 seeders > 0
                                     ? (seeders == 1 ? tr("One seeder serving the data.")
                                                     : tr("%1 seeders serving the data.").arg(seeders))
                                     : tr("Peers that have the whole file and upload it.")));
    m_steps[2]->setText(stepText(3, leechers > 0, tr("Add leechers"),
                                 tr("Peers that download it from the seeders and from each other; the "
                                    "piece map then shows every one of them.")));
}

} // namespace swarmscope::ui
