#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>

#include <optional>

namespace swarmscope {

// Endpoints a torrent may connect to (from its tracker or given by hand), with when each may next be tried.
// An endpoint is listed once however often the tracker returns it. A failed attempt waits
// reconnectDelayMs, doubling with each failure in a row up to 5 minutes; after maxAttempts failures in a row
// the endpoint is forgotten until the tracker returns it again. Time is passed in.
class PeerCandidates {
public:
    struct Candidate {
        QHostAddress address;
        quint16 port = 0;
        QByteArray peerId;   // when the tracker said; empty otherwise
        int failures = 0;    // in a row
        qint64 dueMs = 0;    // not tried before this
        bool active = false; // a connection to it is open or being opened
        QByteArray source;   // where it was learnt first: "tracker", "dht", "pex"; empty: given by hand
    };

    PeerCandidates(qint64 reconnectDelayMs, int maxAttempts)
        : m_delayMs(reconnectDelayMs), m_maxAttempts(maxAttempts) {}

    // False when the endpoint is listed already (its peer id is filled in if it was unknown).
    bool add(const QHostAddress& address, quint16 port, const QByteArray& peerId, qint64 nowMs,
             const QByteArray& source = {});
    // The next endpoint due and not active, marked active; nothing when none is due.
    std::optional<Candidate> takeDue(qint64 nowMs);
    // Outcomes of a connection that takeDue() handed out.
    void succeeded(const QHostAddress& address, quint16 port);
    void failed(const QHostAddress& address, quint16 port, qint64 nowMs);
    // A connection that was up closed: the endpoint may be tried again after the base delay.
    void closed(const QHostAddress& address, quint16 port, qint64 nowMs);
    // Never try it again (ourselves, banned, a duplicate of a live connection).
    void remove(const QHostAddress& address, quint16 port);
    // Makes every inactive endpoint due now (e.g. after a pause).
    void makeAllDue(qint64 nowMs);
    void clear() { m_list.clear(); }

    int size() const { return int(m_list.size()); }
    int dueCount(qint64 nowMs) const;
    const QList<Candidate>& list() const { return m_list; }

private:
    qsizetype indexOf(const QHostAddress& address, quint16 port) const;

    QList<Candidate> m_list;
    qint64 m_delayMs;
    int m_maxAttempts;
};

} // namespace swarmscope
