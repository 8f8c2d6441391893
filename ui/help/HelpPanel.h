#pragma once

#include "swarm/SwarmSnapshot.h"

#include <QList>
#include <QWidget>

#include <optional>

class QLabel;

namespace swarmscope {
struct Metainfo;
}

namespace swarmscope::ui {

// "What am I looking at?": a few sentences each on pieces and blocks, have / interested / choke, rarest
// first, tit-for-tat and the optimistic unchoke, endgame and the Kumar–Ross bound, written for a student
// who has the live views beside it. Each section says which view shows it (a link raises that view) and,
// where the swarm on screen has a number to show, shows it live: this torrent's pieces, how many peers are
// in endgame, this swarm's Kumar–Ross bound against its slowest leecher.
class HelpPanel : public QWidget {
    Q_OBJECT
public:
    // The views a section can point at, as its link names them.
    enum class View { PieceMap, Graph, Inspector, Charts, Availability, Controls, Matrix };

    explicit HelpPanel(QWidget* parent = nullptr);

    void setSnapshot(const swarmscope::SwarmSnapshotPtr& snapshot);
    void setTorrent(const std::optional<Metainfo>& metainfo);

    // The section titles, in order, and the live line of the Kumar–Ross section, for tests.
    QStringList sectionTitles() const;
    QString boundText() const;
    // The bound for the shown swarm in seconds, from the peers' caps; NaN when it has none.
    double boundSeconds() const { return m_boundSeconds; }

signals:
    void showView(swarmscope::ui::HelpPanel::View view);

private:
    struct Section {
        QString title;
        QLabel* text = nullptr;
    };
    QLabel* addSection(const QString& title, const QString& body);
    void updateLive();

    SwarmSnapshotPtr m_snapshot;
    qint64 m_totalSize = 0;
    qint64 m_pieceLength = 0;
    int m_pieceCount = 0;
    QString m_torrentName;
    QList<Section> m_sections;
    QLabel* m_pieces = nullptr;
    QLabel* m_endgame = nullptr;
    QLabel* m_bound = nullptr;
    double m_boundSeconds = 0;
    qint64 m_lastLiveMs = -1;
};

} // namespace swarmscope::ui
