#pragma once

#include "charts/ChartMarkers.h"

#include <QList>
#include <QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
class QToolButton;
QT_END_NAMESPACE

namespace swarmscope {
struct LabControlChange;
enum class TimeMode;
} // namespace swarmscope

namespace swarmscope::ui {

class TimelineTrack;

// The strip under the views that scrubs the whole window through the run: a track from the first recorded
// moment to the newest, a handle where the window is, a tick for every control change (hover for what it
// was), the time shown, and Live, which returns to the running lab. Dragging or clicking the track asks for
// a moment; the window answers with setPosition().
class TimelineBar : public QWidget {
    Q_OBJECT
public:
    explicit TimelineBar(QWidget* parent = nullptr);

    void setRange(qint64 startMs, qint64 endMs);
    void setMarkers(const QList<ChartMarker>& markers);
    // Where the window is; live: at the newest moment, following it.
    void setPosition(qint64 ms, bool live);
    // A replayed recording has no running lab to return to.
    void setLiveAvailable(bool available, const QString& why = {});

    qint64 startMs() const;
    qint64 endMs() const;
    qint64 position() const;
    bool isLive() const { return m_live; }
    const QList<ChartMarker>& markers() const;
    QToolButton* liveButton() const { return m_liveButton; }
    TimelineTrack* track() const { return m_track; }
    QString timeText() const;

    // The markers for a control log: what changed peers (and, in real time, Pause, which pauses them),
    // labelled with what and for whom; a burst of the same control for the same peers (a slider dragged)
    // within a second is one marker, the last.
    static QList<ChartMarker> markersFor(const QList<LabControlChange>& log, TimeMode mode);

signals:
    void momentRequested(qint64 ms);
    void liveRequested();

private:
    void updateText();

    TimelineTrack* m_track = nullptr;
    QToolButton* m_liveButton = nullptr;
    QLabel* m_timeLabel = nullptr;
    bool m_live = true;
    bool m_liveAvailable = true;
};

// The track itself: painted, with the handle and the ticks; keys move it (Left and Right a tenth of a
// second, Page Up and Page Down five seconds, Home and End the ends).
class TimelineTrack : public QWidget {
    Q_OBJECT
public:
    explicit TimelineTrack(QWidget* parent = nullptr);

    void setRange(qint64 startMs, qint64 endMs);
    void setMarkers(const QList<ChartMarker>& markers);
    void setPosition(qint64 ms);
    qint64 startMs() const { return m_startMs; }
    qint64 endMs() const { return m_endMs; }
    qint64 position() const { return m_positionMs; }
    const QList<ChartMarker>& markers() const { return m_markers; }

    // Geometry, for tests and hit testing.
    int xOf(qint64 ms) const;
    qint64 msAt(int x) const;
    // The marker nearest x within a few pixels, or -1.
    int markerAt(int x) const;

    QSize sizeHint() const override { return {600, 20}; }
    QSize minimumSizeHint() const override { return {120, 20}; }

signals:
    void moved(qint64 ms);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;

private:
    QRect groove() const;
    void moveTo(qint64 ms);

    qint64 m_startMs = 0;
    qint64 m_endMs = 0;
    qint64 m_positionMs = 0;
    QList<ChartMarker> m_markers;
};

} // namespace swarmscope::ui
