#pragma once

#include <QList>
#include <QObject>

namespace swarmscope::ui {

// Which peers are selected, shared by every view like a QItemSelectionModel: a set of peers, and among them
// the current one (the one the inspector shows and the charts draw thick). A plain click selects one peer,
// Ctrl+click adds or removes one, Shift+click selects the run from the last clicked peer in the clicking
// view's order, a rubber band selects what it covers. Peer actions act on every selected peer.
class PeerSelection : public QObject {
    Q_OBJECT
public:
    explicit PeerSelection(QObject* parent = nullptr);

    // Ascending ids.
    QList<int> peers() const { return m_peers; }
    int current() const { return m_current; }
    bool contains(int peer) const;
    bool isEmpty() const { return m_peers.isEmpty(); }
    int count() const { return int(m_peers.size()); }

    // Exactly these peers; current must be one of them (else the first is). An empty list clears.
    void setPeers(const QList<int>& peers, int current = 0);
    void selectOnly(int peer); // 0: clears
    void clear() { setPeers({}); }
    // What a click on peer with these modifiers does; order is the clicking view's order of peers, for
    // Shift's run.
    void click(int peer, Qt::KeyboardModifiers modifiers, const QList<int>& order);
    // A rubber band over peers: they replace the selection, or join it with Ctrl or Shift.
    void band(const QList<int>& peers, Qt::KeyboardModifiers modifiers);
    // Forgets peers that are gone (removed, or of another torrent).
    void retain(const QList<int>& existing);

signals:
    void changed();

private:
    QList<int> m_peers;
    int m_current = 0;
    int m_anchor = 0; // where Shift's run starts: the last peer clicked without Shift
};

} // namespace swarmscope::ui
