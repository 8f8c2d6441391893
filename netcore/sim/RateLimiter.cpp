#include "sim/RateLimiter.h"

#include <limits>

namespace swarmscope {

namespace {

// Keeps a single consume() and an accumulated debt far from overflowing the 64-bit balance.
constexpr qint64 kMaxConsume = qint64(1) << 42;
constexpr qint64 kMinBalance = -(qint64(1) << 62);

} // namespace

RateLimiter::RateLimiter(qint64 bytesPerSecond, SimTime now) : m_last(now) {
    setRate(bytesPerSecond, now);
}

qint64 RateLimiter::capacityFor(qint64 rate) {
    // rate bytes/s x window us = millionths of a byte.
    return qMax(rate * kBurstWindow.count(), kMicro);
}

qint64 RateLimiter::projectedBalance(SimTime now) const {
    const qint64 elapsed = (now - m_last).count();
    if (m_rate == 0 || elapsed <= 0 || m_balance >= m_capacity)
        return m_balance;
    const qint64 room = m_capacity - m_balance;
    // Compare before multiplying, so a long idle time cannot overflow.
    if (elapsed >= room / m_rate + 1)
        return m_capacity;
    return m_balance + m_rate * elapsed;
}

void RateLimiter::refill(SimTime now) {
    if (now <= m_last)
        return;
    m_balance = projectedBalance(now);
    m_last = now;
}

void RateLimiter::setRate(qint64 bytesPerSecond, SimTime now) {
    const qint64 rate = qBound(qint64(0), bytesPerSecond, kMaxRate);
    refill(now);
    m_last = qMax(m_last, now);
    if (rate == m_rate)
        return;
    if (rate == 0) {
        m_rate = 0;
        m_capacity = 0;
        m_balance = 0;
        return;
    }
    if (m_rate == 0) {
        m_balance = 0; // from unlimited: start empty, no burst
    } else if (m_balance < 0) {
        // The debt would take debtTime at the old rate; keep that time at the new rate.
        const long double debtSeconds = (long double)(-m_balance) / (long double)m_rate;
        const long double newDebt = debtSeconds * (long double)rate;
        m_balance = newDebt >= (long double)(-kMinBalance) ? kMinBalance : -qint64(newDebt);
    }
    m_rate = rate;
    m_capacity = capacityFor(rate);
    m_balance = qMin(m_balance, m_capacity);
}

qint64 RateLimiter::request(qint64 bytes, SimTime now) {
    if (bytes <= 0)
        return 0;
    if (m_rate == 0)
        return bytes;
    refill(now);
    if (m_balance < kMicro)
        return 0;
    const qint64 granted = qMin(bytes, m_balance / kMicro);
    m_balance -= granted * kMicro;
    return granted;
}

void RateLimiter::consume(qint64 bytes, SimTime now) {
    if (bytes <= 0 || m_rate == 0)
        return;
    refill(now);
    m_balance = qMax(m_balance - qMin(bytes, kMaxConsume) * kMicro, kMinBalance);
}

qint64 RateLimiter::available(SimTime now) {
    if (m_rate == 0)
        return std::numeric_limits<qint64>::max();
    refill(now);
    return m_balance > 0 ? m_balance / kMicro : 0;
}

qint64 RateLimiter::balance(SimTime now) {
    if (m_rate == 0)
        return 0;
    refill(now);
    return m_balance / kMicro;
}

SimTime RateLimiter::timeUntilAvailable(qint64 bytes, SimTime now) const {
    if (m_rate == 0 || bytes <= 0)
        return SimTime::zero();
    // A request larger than the bucket waits for a full bucket (the whole bytes in it), never forever.
    const qint64 need = qMin(qMin(bytes, kMaxConsume) * kMicro, m_capacity / kMicro * kMicro);
    const qint64 deficit = need - projectedBalance(now);
    if (deficit <= 0)
        return SimTime::zero();
    const SimTime since = now > m_last ? SimTime::zero() : m_last - now;
    return since + SimTime((deficit + m_rate - 1) / m_rate);
}

} // namespace swarmscope
