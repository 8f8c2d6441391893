#pragma once

#include <QWidget>

class QAction;
class QLabel;

namespace swarmscope::ui {

// What the centre of the window says while the shown swarm has nobody to watch: the three steps to a swarm
// (a torrent, seeders, leechers), each with its buttons and a tick once done, and the demo as a shortcut.
class EmptySwarmOverlay : public QWidget {
    Q_OBJECT
public:
    struct Actions {
        QAction* create = nullptr;
        QAction* open = nullptr;
        QAction* demo = nullptr;
        QAction* addSeeders = nullptr;
        QAction* addLeechers = nullptr;
        // The lab's clock, which can change while the lab is empty.
        QAction* realTime = nullptr;
        QAction* simulatedTime = nullptr;
    };

    explicit EmptySwarmOverlay(const Actions& actions, QWidget* parent = nullptr);

    // torrentName empty: no torrent yet.
    void setProgress(const QString& torrentName, int seeders, int leechers);

private:
    QLabel* m_title;
    QLabel* m_steps[3];
};

} // namespace swarmscope::ui
