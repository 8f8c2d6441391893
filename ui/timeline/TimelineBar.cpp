#include "timeline/TimelineBar.h"

#include "shared/SizeFormat.h"

#include "swarm/LabControlChange.h"
#include "swarm/TimeMode.h"

#include <QHBoxLayout>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QToolButton>
#include <QToolTip>

namespace swarmscope::ui {

namespace {

constexpr int kMargin = 8;     // either side of the groove, so the handle fits at the ends
constexpr int kMarkerSlop = 4; // pixels either side of a tick that still hover it
constexpr qint64 kBurstMs = 1000;

// Whether two controls are the same control for the same peers (a slider's steps).
bool sameControl(const LabControlChange& a, const LabControlChange& b) {
    if (a.kind != b.kind || a.peer != b.peer || a.command.kind != b.command.kind)
        return false;
    if (a.command.kind != LabCommand::Kind::SetLink)
        return true;
    const LabCommand::LinkChange& x = a.command.link;
    const LabCommand::LinkChange& y = b.command.link;
    return bool(x.latencyMs) == bool(y.latencyMs) && bool(x.uploadRate) == bool(y.uploadRate) &&
           bool(x.downloadRate) == bool(y.downloadRate);
}

} // namespace

QList<ChartMarker> TimelineBar::markersFor(const QList<LabControlChange>& log, TimeMode mode) {
    QList<ChartMarker> markers;
    const LabControlChange* previous = nullptr;
    int peersAtOnce = 1;
    for (const LabControlChange& change : log) {
        const bool pausesPeers = (change.kind == LabControlChange::Kind::PauseAll ||
                                  change.kind == LabControlChange::Kind::ResumeAll) &&
                                 mode == TimeMode::Real;
        if (!change.changesPeers() && !pausesPeers)
            continue;
        ChartMarker marker{change.timeMs, change.label() + QStringLiteral(" · ") + change.target()};
        if (previous && sameControl(*previous, change) && change.timeMs - previous->timeMs <= kBurstMs) {
            markers.last() = marker;
            peersAtOnce = 1;
        } else if (previous && change.peer > 0 && previous->peer > 0 && change.timeMs == previous->timeMs &&
                   change.label() == previous->label()) {
            // The same control for several peers at one instant (a multi-selection, a scenario's group):
            // one marker that says how many.
            ++peersAtOnce;
            markers.last().label = change.label() + tr(" · %1 peers").arg(peersAtOnce);
        } else {
            markers.append(marker);
            peersAtOnce = 1;
        }
        previous = &change;
    }
    return markers;
}

TimelineBar::TimelineBar(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("timelineBar"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 0);
    auto* title = new QLabel(tr("Timeline"), this);
    title->setToolTip(tr("Every run is recorded. Drag or click the timeline to see the whole window at that "
                         "moment; the ticks are control changes (hover for what)."));
    m_track = new TimelineTrack(this);
    m_track->setToolTip(title->toolTip());
    m_timeLabel = new QLabel(this);
    m_timeLabel->setObjectName(QStringLiteral("timelineTime"));
    m_timeLabel->setMinimumWidth(
        m_timeLabel->fontMetrics().horizontalAdvance(QStringLiteral("0:00:00.0 of 0:00:00.0 · replay")));
    m_liveButton = new QToolButton(this);
    m_liveButton->setObjectName(QStringLiteral("timelineLive"));
    m_liveButton->setText(tr("Live"));
    m_liveButton->setToolTip(tr("Back to the running lab, following its newest moment"));
    m_liveButton->setEnabled(false);
    layout->addWidget(title);
    layout->addWidget(m_track, 1);
    layout->addWidget(m_timeLabel);
    layout->addWidget(m_liveButton);
    connect(m_track, &TimelineTrack::moved, this, &TimelineBar::momentRequested);
    connect(m_liveButton, &QToolButton::clicked, this, &TimelineBar::liveRequested);
    updateText();
}

void TimelineBar::setRange(qint64 startMs, qint64 endMs) {
    m_track->setRange(startMs, endMs);
    if (m_live)
        m_track->setPosition(endMs);
    updateText();
}

void TimelineBar::setMarkers(const QList<ChartMarker>& markers) {
    m_track->setMarkers(markers);
}

void TimelineBar::setPosition(qint64 ms, bool live) {
    m_live = live;
    m_track->setPosition(live ? m_track->endMs() : ms);
    m_liveButton->setEnabled(!live && m_liveAvailable);
    updateText();
}

void TimelineBar::setLiveAvailable(bool available, const QString& why) {
    m_liveAvailable = available;
    m_liveButton->setEnabled(!m_live && available);
    m_liveButton->setToolTip(available ? tr("Back to the running lab, following its newest moment") : why);
    updateText();
}

qint64 TimelineBar::startMs() const {
    return m_track->startMs();
}

qint64 TimelineBar::endMs() const {
    return m_track->endMs();
}

qint64 TimelineBar::position() const {
    return m_track->position();
}

const QList<ChartMarker>& TimelineBar::markers() const {
    return m_track->markers();
}

QString TimelineBar::timeText() const {
    return m_timeLabel->text();
}

void TimelineBar::updateText() {
    const QString at = formatLabTime(m_track->position(), 1);
    const QString end = formatLabTime(m_track->endMs(), 1);
    if (m_live && m_liveAvailable)
        m_timeLabel->setText(tr("%1 · live").arg(at));
    else
        m_timeLabel->setText(tr("%1 of %2 · %3").arg(at, end, m_liveAvailable ? tr("past") : tr("replay")));
}

TimelineTrack::TimelineTrack(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("timelineTrack"));
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setMinimumHeight(20);
}

void TimelineTrack::setRange(qint64 startMs, qint64 endMs) {
    if (startMs == m_startMs && endMs == m_endMs)
        return;
    m_startMs = startMs;
    m_endMs = qMax(startMs, endMs);
    m_positionMs = qBound(m_startMs, m_positionMs, m_endMs);
    update();
}

void TimelineTrack::setMarkers(const QList<ChartMarker>& markers) {
    if (markers == m_markers)
        return;
    m_markers = markers;
    update();
}

void TimelineTrack::setPosition(qint64 ms) {
    ms = qBound(m_startMs, ms, m_endMs);
    if (ms == m_positionMs)
        return;
    m_positionMs = ms;
    update();
}

QRect TimelineTrack::groove() const {
    return QRect(kMargin, height() / 2 - 3, qMax(1, width() - 2 * kMargin), 6);
}

int TimelineTrack::xOf(qint64 ms) const {
    const QRect g = groove();
    if (m_endMs <= m_startMs)
        return g.left();
    return g.left() + int(double(ms - m_startMs) / double(m_endMs - m_startMs) * g.width());
}

qint64 TimelineTrack::msAt(int x) const {
    const QRect g = groove();
    const double f = qBound(0.0, double(x - g.left()) / qMax(1, g.width()), 1.0);
    return m_startMs + qRound64(f * double(m_endMs - m_startMs));
}

int TimelineTrack::markerAt(int x) const {
    int best = -1;
    int bestDistance = kMarkerSlop + 1;
    for (qsizetype k = 0; k < m_markers.size(); ++k) {
        const int d = qAbs(xOf(m_markers[k].timeMs) - x);
        if (d < bestDistance) {
            best = int(k);
            bestDistance = d;
        }
    }
    return best;
}

void TimelineTrack::moveTo(qint64 ms) {
    ms = qBound(m_startMs, ms, m_endMs);
    setPosition(ms);
    emit moved(ms);
}

void TimelineTrack::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRect g = groove();
    const QPalette& pal = palette();
    p.setPen(Qt::NoPen);
    p.setBrush(pal.color(QPalette::Mid));
    p.drawRoundedRect(g, 3, 3);
    // What has been seen up to the handle, in the highlight colour.
    QRect done = g;
    done.setRight(xOf(m_positionMs));
    p.setBrush(pal.color(QPalette::Highlight));
    p.drawRoundedRect(done, 3, 3);
    // Control changes: a tick across the groove.
    p.setPen(QPen(QColor(200, 90, 20), 2));
    for (const ChartMarker& m : std::as_const(m_markers)) {
        const int x = xOf(m.timeMs);
        p.drawLine(x, g.top() - 6, x, g.bottom() + 6);
    }
    // The handle.
    const int hx = xOf(m_positionMs);
    p.setPen(QPen(pal.color(QPalette::Dark), 1));
    p.setBrush(hasFocus() ? pal.color(QPalette::Highlight).lighter(130) : pal.color(QPalette::Button));
    p.drawEllipse(QPoint(hx, g.center().y()), 7, 7);
}

void TimelineTrack::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton)
        moveTo(msAt(int(event->position().x())));
}

void TimelineTrack::mouseMoveEvent(QMouseEvent* event) {
    if (event->buttons() & Qt::LeftButton)
        moveTo(msAt(int(event->position().x())));
}

void TimelineTrack::keyPressEvent(QKeyEvent* event) {
    switch (event->key()) {
    case Qt::Key_Left:
        moveTo(m_positionMs - 100);
        break;
    case Qt::Key_Right:
        moveTo(m_positionMs + 100);
        break;
    case Qt::Key_PageUp:
        moveTo(m_positionMs - 5000);
        break;
    case Qt::Key_PageDown:
        moveTo(m_positionMs + 5000);
        break;
    case Qt::Key_Home:
        moveTo(m_startMs);
        break;
    case Qt::Key_End:
        moveTo(m_endMs);
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

bool TimelineTrack::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int x = help->pos().x();
        const int marker = markerAt(x);
        const QString text =
            marker >= 0
                ? tr("%1: %2").arg(formatLabTime(m_markers[marker].timeMs, 1), m_markers[marker].label)
                : tr("%1 (click to see the window at this moment)").arg(formatLabTime(msAt(x), 1));
        QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

} // namespace swarmscope::ui
