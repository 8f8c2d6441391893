#include "observe/ObserverSession.h"

#include "peer/Client.h"
#include "transport/TcpNode.h"

namespace swarmscope::ui {

ObserverSession::ObserverSession(SwarmObserver::Params params, const QHostAddress& listenAddress,
                                 quint16 listenPort)
    : m_params(std::move(params)), m_listenAddress(listenAddress), m_listenPort(listenPort) {}

ObserverSession::~ObserverSession() {
    delete m_observer;
    m_client.reset();
    m_node.reset();
}

void ObserverSession::start() {
    m_node = std::make_unique<TcpNode>();
    ClientConfig config;
    config.listenAddress = m_listenAddress;
    config.listenPort = m_listenPort;
    config.network = &m_node->network();
    // An observer wants to see the whole swarm: as many peers as the tracker gives, and room for them.
    config.numwant = 200;
    config.maxConnections = 400;
    m_client = std::make_unique<Client>(config);
    if (!m_client->listen()) {
        emit failed(m_client->errorString());
        emit finished();
        return;
    }
    emit listening(m_client->listenAddress().toString() + u':' + QString::number(m_client->listenPort()));
    connect(m_client.get(), &Client::stopped, this, &ObserverSession::finished);
    m_observer = new SwarmObserver(m_client.get(), m_params);
    connect(m_observer, &SwarmObserver::note, this, &ObserverSession::note);
    connect(m_observer, &SwarmObserver::joined, this, &ObserverSession::joined);
    connect(m_observer, &SwarmObserver::observed, this, &ObserverSession::observed);
    connect(m_observer, &SwarmObserver::failed, this, &ObserverSession::failed);
    connect(m_observer, &SwarmObserver::stopped, this, [this] { m_client->stop(); });
    m_observer->start();
}

void ObserverSession::stop() {
    if (m_stopping)
        return;
    m_stopping = true;
    if (m_observer)
        m_observer->stop();
    else
        emit finished();
}

} // namespace swarmscope::ui
