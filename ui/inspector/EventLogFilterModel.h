#pragma once

#include "peer/PeerEvent.h"

#include <QSortFilterProxyModel>

#include <optional>

namespace swarmscope::ui {

// The event log as the inspector shows it: one torrent's events (the shown one), one peer's events (or every
// peer's), one kind (or all), and rows whose text contains a given string in any column.
class EventLogFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit EventLogFilterModel(QObject* parent = nullptr);

    // 0: every torrent.
    void setTorrent(int torrent);
    int torrent() const { return m_torrent; }
    // 0: every peer. A peer's events are those it reported.
    void setPeer(int peerId);
    int peer() const { return m_peer; }
    // nullopt: every kind.
    void setKind(std::optional<swarmscope::PeerEventKind> kind);
    std::optional<swarmscope::PeerEventKind> kind() const { return m_kind; }
    // Case-insensitive substring over the displayed columns; empty: no text filter.
    void setText(const QString& text);
    QString text() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    int m_torrent = 0;
    int m_peer = 0;
    std::optional<PeerEventKind> m_kind;
    QString m_text;
};

} // namespace swarmscope::ui
