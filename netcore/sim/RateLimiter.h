#pragma once

#include "clock/SimTime.h"

#include <QtGlobal>

namespace swarmscope {

// A token bucket for one direction of one client; all of the client's connections share it. Time is passed
// in, so it is tested without sleeping.
//
// Accuracy: the balance is kept in millionths of a byte and refilled with rate x elapsed microseconds, so
// there is no rounding drift at any rate; a new or re-rated bucket starts empty, so the bytes granted up to
// any moment never exceed rate x elapsed time plus what the bucket held. The bucket holds 20 ms of traffic
// (at least one byte): enough to ride out a busy event loop for the 10 ms grants the BandwidthQueue hands
// out, small enough that no second of traffic is more than 2% over the cap, the lab's promise.
//
// Two ways to spend. request() grants part of what is asked (streams such as a TCP connection can send any
// number of bytes). consume() takes everything at once and may leave the balance negative: a debt paid off
// before anything else is granted. That is how a sender that must move a whole 16 KiB block at once gets
// through a 1 KiB/s cap, whose bucket holds only 20 bytes, while the long-run average stays exact: it waits
// with timeUntilAvailable(block) (which waits for a full bucket at most), then consume(block).
//
// A rate of 0 means unlimited, and then every call is a few instructions.
class RateLimiter {
public:
    static constexpr SimTime kBurstWindow = std::chrono::milliseconds(20);
    static constexpr qint64 kMaxRate = qint64(1) << 40; // 1 TiB/s; higher rates are clamped

    explicit RateLimiter(qint64 bytesPerSecond = 0, SimTime now = SimTime::zero());

    qint64 rate() const { return m_rate; } // bytes per second, 0 = unlimited
    bool isUnlimited() const { return m_rate == 0; }
    // Bytes the bucket holds when full; 0 when unlimited.
    qint64 bucketSize() const { return m_capacity / kMicro; }

    // Takes effect at now, without a burst: credit saved at the old rate is cut to the new bucket size, and a
    // debt keeps the time it still needs to be paid off, so a sender mid-block is not let off or stalled.
    void setRate(qint64 bytesPerSecond, SimTime now);

    // Grants up to bytes (never more than the whole bytes in the bucket) and spends them.
    qint64 request(qint64 bytes, SimTime now);
    // Spends bytes whether or not the bucket holds them; a shortfall becomes debt.
    void consume(qint64 bytes, SimTime now);
    // Whole bytes request() would grant now.
    qint64 available(SimTime now);
    // Time until request() can grant min(bytes, bucketSize()) bytes; zero when it can now or when unlimited.
    SimTime timeUntilAvailable(qint64 bytes, SimTime now) const;
    // The balance in bytes, negative while in debt (rounded toward zero).
    qint64 balance(SimTime now);

private:
    static constexpr qint64 kMicro = 1'000'000; // balance units per byte
    void refill(SimTime now);
    qint64 projectedBalance(SimTime now) const;
    static qint64 capacityFor(qint64 rate);

    qint64 m_rate = 0;
    qint64 m_capacity = 0; // millionths of a byte
    qint64 m_balance = 0;  // millionths of a byte; may be negative
    SimTime m_last = SimTime::zero();
};

} // namespace swarmscope
