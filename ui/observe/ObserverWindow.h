#pragma once

#include "observe/SwarmObserver.h"

#include <QHostAddress>
#include <QPointer>
#include <QWidget>

class QLabel;
class QScrollArea;
class QThread;

namespace swarmscope::ui {

class ObservedPeersView;
class ObserverSession;

// The window of one observed swarm: every peer the observer reaches as a row, its piece bitmap as the
// peer's own BITFIELD and HAVE messages draw it, its client and share, and its download rate ESTIMATED from
// its HAVEs (marked ≈). The observer's client runs on a thread of its own, so the window never waits on the
// network; closing the window tells the trackers the observer left, then ends the thread.
class ObserverWindow : public QWidget {
    Q_OBJECT
public:
    ObserverWindow(const SwarmObserver::Params& params, const QHostAddress& listenAddress, quint16 listenPort,
                   QWidget* parent = nullptr);
    ~ObserverWindow() override;

    // For tests and screenshots: the last observation shown, and the status line.
    const SwarmObservation& observation() const { return m_last; }
    QString statusText() const;
    ObservedPeersView* peersView() const { return m_peers; }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void onJoined(const swarmscope::Metainfo& metainfo);
    void onObserved(const swarmscope::SwarmObservation& observation);
    void setStatus(const QString& text);

    QThread* m_thread;
    QPointer<ObserverSession> m_session;
    QLabel* m_title;
    QLabel* m_summary;
    QLabel* m_status;
    ObservedPeersView* m_peers;
    QScrollArea* m_scroll;
    SwarmObservation m_last;
    bool m_finished = false;
    bool m_closing = false;
};

} // namespace swarmscope::ui
