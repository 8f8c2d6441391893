#pragma once

#include "swarm/LabControlChange.h"
#include "swarm/SwarmSnapshot.h"
#include "swarm/TimeMode.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>
#include <vector>

namespace swarmscope {

// A run of the lab kept as it happened: every snapshot the lab published (each peer's joins and leaves,
// pieces, rates, counters, links and connections) and every control it was given, in lab time. It grows
// while a run goes on, can be read at any past moment while it does, and is written to and read from a
// file, so that a run can be replayed without running a swarm.
//
// Compact: a frame holds only what changed since the frame before it (a peer whose figures did not move
// costs a few bytes; new pieces are listed, not the whole bitmap), compressed; every kKeyframeMs of lab time
// a frame holds everything, so reading any moment decodes at most that span of frames (a second: four
// frames of swarm --record, ten of the window).
//
// Read back, a connection's "pieces the other end has" is that lab peer's own pieces at the same moment,
// which is what the other end announced up to the HAVE messages still on their way; the peer inspector's
// column is recorded exactly for connections to peers outside the lab.
//
// The file: "SWSCREC1", a version, then records of (type, length, bytes); a damaged or hostile file is
// refused with the reason and never read past its end or into unbounded memory.
class Recording {
public:
    static constexpr qint64 kKeyframeMs = 1000;
    static constexpr quint32 kVersion = 1;
    // Bounds on what a file may claim, far above what the lab makes (10,000 peers, 1 GiB of frames).
    static constexpr int kMaxPeers = 100'000;
    static constexpr int kMaxPieces = 1 << 22;
    static constexpr qint64 kMaxFrameBytes = 64LL * 1024 * 1024;
    // What the moments kept for reading again may take, estimated.
    static constexpr qint64 kKeptBytes = 768LL * 1024 * 1024;

    struct Meta {
        TimeMode timeMode = TimeMode::Real;
        quint32 seed = 0;
        QString createdBy;
    };

    Recording();
    ~Recording();
    Recording(Recording&&) noexcept;
    Recording& operator=(Recording&&) noexcept;

    void setMeta(const Meta& meta) { m_meta = meta; }
    const Meta& meta() const { return m_meta; }

    // --- growing
    // Adds the lab at one instant. A snapshot no later than the last one is ignored (a paused clock repeats
    // its instant), except that a later snapshot of the same instant replaces nothing: the first one stays.
    void append(const SwarmSnapshot& snapshot);
    void appendControl(const LabControlChange& change);
    void clear();

    // --- reading
    bool isEmpty() const { return m_frames.empty(); }
    int frameCount() const { return int(m_frames.size()); }
    qint64 frameTimeMs(int frame) const { return m_frames[size_t(frame)].timeMs; }
    qint64 startMs() const { return isEmpty() ? 0 : m_frames.front().timeMs; }
    qint64 endMs() const { return isEmpty() ? 0 : m_frames.back().timeMs; }
    // The last frame at or before ms; the first frame when ms is before it; -1 when empty.
    int frameAt(qint64 ms) const;
    // The lab as frame showed it; null when out of range. Reading frames in order, or frames read lately,
    // is the cheap way.
    SwarmSnapshotPtr snapshot(int frame) const;
    SwarmSnapshotPtr snapshotAt(qint64 ms) const { return snapshot(frameAt(ms)); }
    const LabControlLog& controls() const { return m_controls; }
    // Bytes the frames take, compressed.
    qint64 encodedBytes() const { return m_encodedBytes; }
    // What the moments kept for reading again may take (an estimate); kKeptBytes unless set.
    void setKeptBytes(qint64 bytes);
    qint64 keptBytes() const { return m_keptBytes; }

    // --- files
    QByteArray toBytes() const;
    // Written whole or not at all (an existing file is replaced only once the new one is complete).
    bool save(const QString& path, QString* error) const;
    static std::optional<Recording> fromBytes(const QByteArray& bytes, QString* error);
    static std::optional<Recording> load(const QString& path, QString* error);

private:
    struct Frame {
        qint64 timeMs = 0;
        bool key = false;
        QByteArray data; // compressed
    };
    // What the encoder compares the next snapshot with, per peer.
    struct PeerState {
        QByteArray identity;
        QByteArray scalars;
        Bitfield have;
        Bitfield inFlight;
        QByteArray connections;
    };

    // A moment read before, kept to be shown again or to decode the frames after it from.
    struct KeptMoment {
        int frame = -1;
        SwarmSnapshotPtr snapshot;
        qint64 bytes = 0; // an estimate of the memory its decoding added
        quint64 used = 0; // when it was last read, on m_keptClock
    };

    QByteArray encode(const SwarmSnapshot& snapshot, bool key);
    // Applies frame to state (the lab after the frame before it); false when it does not decode. rawBytes,
    // when given, is set to the frame's decompressed size.
    static bool decode(const QByteArray& data, bool key, QHash<int, LabPeerSnapshot>& peers,
                       QList<int>& order, SwarmSnapshot& head, QString* error, qsizetype* rawBytes = nullptr);
    // Gives every connection to a lab peer that peer's pieces, in place: a connection list that already
    // holds them is left as it is, so that moments read one after the other share it.
    static void linkPieces(QHash<int, LabPeerSnapshot>& peers);
    // A moment of the decoder's state, sharing every list and bitmap with it.
    static SwarmSnapshotPtr assemble(const SwarmSnapshot& head, const QHash<int, LabPeerSnapshot>& peers,
                                     const QList<int>& order);
    static qint64 keptEstimate(qsizetype rawBytes, qsizetype peers);
    const KeptMoment* kept(int frame) const;
    void keep(int frame, const SwarmSnapshotPtr& snapshot, qint64 bytes) const;
    // The decoder's state set to a kept moment, to decode onwards from it.
    void restoreCursor(int frame, const SwarmSnapshot& snapshot) const;

    Meta m_meta;
    std::vector<Frame> m_frames;
    LabControlLog m_controls;
    qint64 m_encodedBytes = 0;
    qint64 m_lastKeyMs = 0;
    QHash<int, PeerState> m_encoderState;
    QByteArray m_lastHead;

    // The decoder's place: the state after m_cursor, so that reading forward decodes one frame at a time.
    mutable int m_cursor = -1;
    mutable QHash<int, LabPeerSnapshot> m_cursorPeers;
    mutable QList<int> m_cursorOrder;
    mutable SwarmSnapshot m_cursorHead;
    // Moments read lately, up to m_keptLimit of them (the least recently read go first): a drag that goes
    // back over its path, or a jump to a place seen before, reads nothing again, and a jump into a span
    // decodes from the nearest kept moment before it rather than from the keyframe.
    mutable std::vector<KeptMoment> m_kept;
    qint64 m_keptLimit = kKeptBytes;
    mutable qint64 m_keptBytes = 0;
    mutable quint64 m_keptClock = 0;
};

} // namespace swarmscope
