#pragma once

#include "observe/SwarmObserver.h"

#include <QHostAddress>
#include <QObject>

#include <memory>

namespace swarmscope {
class Client;
class TcpNode;
} // namespace swarmscope

namespace swarmscope::ui {

// The observer's own client on the host's TCP, and its SwarmObserver, living on the observer window's
// worker thread: made in start(), stopped by stop(), and finished() once the trackers were told.
class ObserverSession : public QObject {
    Q_OBJECT
public:
    ObserverSession(SwarmObserver::Params params, const QHostAddress& listenAddress, quint16 listenPort);
    ~ObserverSession() override;

    void start();
    void stop();

signals:
    void listening(const QString& address);
    void note(const QString& line);
    void joined(const swarmscope::Metainfo& metainfo);
    void observed(const swarmscope::SwarmObservation& observation);
    void failed(const QString& error);
    void finished();

private:
    SwarmObserver::Params m_params;
    QHostAddress m_listenAddress;
    quint16 m_listenPort;
    std::unique_ptr<TcpNode> m_node;
    std::unique_ptr<Client> m_client;
    SwarmObserver* m_observer = nullptr;
    bool m_stopping = false;
};

} // namespace swarmscope::ui
