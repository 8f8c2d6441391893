#pragma once

// Driving the main window as a user does, for the suites that test it whole: drops from a file manager,
// toolbar clicks, peer context menus, modal dialogs, and what the window shows.
#include "window/MainWindow.h"

#include "swarm/SwarmLabConfig.h"
#include "swarm/SwarmSnapshot.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QList>
#include <QTimer>
#include <QUrl>

#include <functional>

class QTemporaryDir;
class QToolButton;

namespace swarmscope::ui {
class ChartsPanel;
}

namespace swarmscope::testsupport {

// A lab that keeps its peers' files in dir.
SwarmLabConfig labIn(const QTemporaryDir& dir);

// The longest the GUI thread went without running a 10 ms timer: how long a user would have seen the
// window frozen.
class StallMeter {
public:
    StallMeter();
    void stop() { m_timer.stop(); }
    qint64 maxGapMs() const { return m_maxGapMs; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_maxGapMs = 0;
};

// Drags urls over the middle of window and drops them there, delivered to its native window as the
// platform delivers a drag from a file manager: enter, move, drop. False when the window refuses them.
bool dropOnWindow(QWidget* window, const QList<QUrl>& urls);

// The main toolbar's button for the action with this object name, or null.
QToolButton* toolbarButton(ui::MainWindow& window, const QString& actionName);

// The swarm's download rate, bytes per second, averaged over the newest `seconds` of what the rate chart
// draws.
double chartedDownloadRate(ui::ChartsPanel* charts, double seconds);

int countRole(const SwarmSnapshotPtr& snapshot, TorrentRole role);
double meanLeecherProgress(const SwarmSnapshotPtr& snapshot);
// The peer in what the window shows now, or null.
const LabPeerSnapshot* peerIn(ui::MainWindow& window, int peer);

// A demo slow enough that its leechers are still downloading while a test acts on them: 4 MiB in 32 KiB
// pieces, the seeder at 128 KiB/s, the leechers at 64 KiB/s up.
ui::DemoSettings slowDemo(int leechers);
// Starts demo in window and waits until the window shows all its peers, running. False on a timeout.
bool startDemoAndWait(ui::MainWindow& window, const ui::DemoSettings& demo);
// The peer's state in what the window shows now (Error when it is not there).
LabPeerState stateOf(ui::MainWindow& window, int peer);
// The id of the index-th leecher the window shows, or 0.
int leecherAt(ui::MainWindow& window, int index);

// The window shows `peers` peers, every one at 100 % in the piece map, which is what the user reads.
bool everyPeerShownComplete(ui::MainWindow& window, int peers);

// Opens a peer's context menu in the piece map with a right click on its row and picks the action whose
// text starts with `text` with the keyboard. False with *why when it cannot.
bool chooseFromPeerMenu(ui::MainWindow& window, int peer, const QString& text, QString* why);

// Runs f once a modal dialog of type T is up: polling, since the code that opens it blocks in exec().
template <typename T> void whenModal(std::function<void(T*)> f, int attempts = 200) {
    QTimer::singleShot(50, [f, attempts]() {
        if (auto* dialog = qobject_cast<T*>(QApplication::activeModalWidget())) {
            f(dialog);
            return;
        }
        if (attempts > 0)
            whenModal<T>(f, attempts - 1);
    });
}

} // namespace swarmscope::testsupport
