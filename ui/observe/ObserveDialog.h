#pragma once

#include "observe/SwarmObserver.h"

#include <QDialog>
#include <QHostAddress>

class QLabel;
class QLineEdit;
class QRadioButton;

namespace swarmscope::ui {

// File → Observe Swarm…: which swarm to watch (a .torrent file, or a magnet link pasted or taken from the
// clipboard), an extra tracker, and where the observer listens. Checks what it is given before it closes.
class ObserveDialog : public QDialog {
    Q_OBJECT
public:
    explicit ObserveDialog(QWidget* parent = nullptr);

    // Valid once the dialog was accepted.
    const SwarmObserver::Params& params() const { return m_params; }
    QHostAddress listenAddress() const { return m_listenAddress; }
    quint16 listenPort() const { return m_listenPort; }

    // For tests: the fields, and what accepting them says (empty when they are good).
    void setTorrentFile(const QString& path);
    void setMagnet(const QString& uri);
    void setTracker(const QString& url);
    void setListen(const QString& hostPort);
    QString validate();

    void accept() override;

private:
    QRadioButton* m_fromTorrent;
    QRadioButton* m_fromMagnet;
    QLineEdit* m_torrentPath;
    QLineEdit* m_magnet;
    QLineEdit* m_tracker;
    QLineEdit* m_listen;
    QLabel* m_error;
    SwarmObserver::Params m_params;
    QHostAddress m_listenAddress{QHostAddress::LocalHost};
    quint16 m_listenPort = 0;
};

} // namespace swarmscope::ui
