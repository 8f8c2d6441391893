#include "record/Recording.h"

#include "record/FrameReader.h"

#include <QDataStream>
#include <QFile>
#include <QSaveFile>

#include <algorithm>
#include <limits>

namespace swarmscope {

namespace {

constexpr char kMagic[8] = {'S', 'W', 'S', 'C', 'R', 'E', 'C', '1'};
constexpr QDataStream::Version kStreamVersion = QDataStream::Qt_6_0;
constexpr qint64 kMaxFileBytes = 4LL * 1024 * 1024 * 1024;
constexpr int kMaxTorrents = 10'000;
constexpr int kMaxConnections = 100'000;

enum RecordType : quint8 { MetaRecord = 1, FrameRecord = 2, ControlRecord = 3 };

// What changed of a peer since the frame before.
enum PeerPart : quint8 {
    Identity = 1,    // who it is and where it listens (first seen, or restarted on another port)
    Scalars = 2,     // state, rates, counters, link, strategies
    Have = 4,        // verified pieces
    InFlight = 8,    // pieces on their way
    Connections = 16 // every connection, whole
};

enum HaveEncoding : quint8 { WholeBitfield = 0, AddedPieces = 1 };

QDataStream& writer(QDataStream& out) {
    out.setVersion(kStreamVersion);
    return out;
}

void writeBitfield(QDataStream& out, const Bitfield& bits) {
    out << qint32(bits.size()) << bits.toWire();
}

bool readBitfield(FrameReader& in, Bitfield& bits) {
    qint32 size = 0;
    QByteArray bytes;
    in >> size >> bytes;
    if (!in.ok() || size < 0 || size > Recording::kMaxPieces)
        return false;
    std::optional<Bitfield> parsed = Bitfield::fromWire(bytes, size);
    if (!parsed)
        return false;
    bits = std::move(*parsed);
    return true;
}

QByteArray identityBytes(const LabPeerSnapshot& p) {
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    writer(out) << qint32(p.torrent) << quint8(p.role) << p.peerId << p.address << p.port << p.dataDir
                << qint32(p.pieceCount) << p.addedAtMs;
    return bytes;
}

bool readIdentity(FrameReader& in, LabPeerSnapshot& p) {
    qint32 torrent = 0, pieceCount = 0;
    quint8 role = 0;
    in >> torrent >> role >> p.peerId >> p.address >> p.port >> p.dataDir >> pieceCount >> p.addedAtMs;
    if (!in.ok() || role > quint8(TorrentRole::Leecher) || pieceCount < 0 ||
        pieceCount > Recording::kMaxPieces)
        return false;
    p.torrent = torrent;
    p.role = TorrentRole(role);
    p.pieceCount = pieceCount;
    return true;
}

QByteArray scalarBytes(const LabPeerSnapshot& p) {
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    writer(out) << quint8(p.state) << p.error << p.endgame << p.downloadRate << p.uploadRate << p.downloaded
                << p.uploaded << p.wasted << p.failed << qint32(p.hashFailures) << qint32(p.bannedPeers)
                << p.conditions.latencyMs << p.conditions.jitterMs << p.conditions.uploadRate
                << p.conditions.downloadRate << quint8(p.strategy) << p.chokerEnabled << p.completedAtMs
                << qint32(p.restarts) << p.freeRider << p.corrupt << p.left << qint32(p.connectionCount);
    return bytes;
}

bool readScalars(FrameReader& in, LabPeerSnapshot& p) {
    quint8 state = 0, strategy = 0;
    qint32 hashFailures = 0, banned = 0, restarts = 0, connections = 0;
    in >> state >> p.error >> p.endgame >> p.downloadRate >> p.uploadRate >> p.downloaded >> p.uploaded >>
        p.wasted >> p.failed >> hashFailures >> banned >> p.conditions.latencyMs >> p.conditions.jitterMs >>
        p.conditions.uploadRate >> p.conditions.downloadRate >> strategy >> p.chokerEnabled >>
        p.completedAtMs >> restarts >> p.freeRider >> p.corrupt >> p.left >> connections;
    if (!in.ok() || state > quint8(LabPeerState::Error) || strategy > quint8(PickerStrategy::Sequential))
        return false;
    p.state = LabPeerState(state);
    p.strategy = PickerStrategy(strategy);
    p.hashFailures = hashFailures;
    p.bannedPeers = banned;
    p.restarts = restarts;
    p.connectionCount = connections;
    return true;
}

enum ConnectionFlag : quint16 {
    Outgoing = 1 << 0,
    AmChoking = 1 << 1,
    AmInterested = 1 << 2,
    PeerChoking = 1 << 3,
    PeerInterested = 1 << 4,
    Optimistic = 1 << 5,
    Snubbed = 1 << 6,
    Seed = 1 << 7,
    ExtensionProtocol = 1 << 8,
    FastExtension = 1 << 9,
};

QByteArray connectionBytes(const QList<LabConnectionSnapshot>& connections) {
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    writer(out) << qint32(connections.size());
    for (const LabConnectionSnapshot& c : connections) {
        const ConnectionSnapshot& i = c.info;
        quint16 flags = 0;
        const std::pair<bool, ConnectionFlag> bits[] = {{i.outgoing, Outgoing},
                                                        {i.amChoking, AmChoking},
                                                        {i.amInterested, AmInterested},
                                                        {i.peerChoking, PeerChoking},
                                                        {i.peerInterested, PeerInterested},
                                                        {i.optimistic, Optimistic},
                                                        {i.snubbed, Snubbed},
                                                        {i.seed, Seed},
                                                        {i.extensionProtocol, ExtensionProtocol},
                                                        {i.fastExtension, FastExtension}};
        for (const auto& [on, flag] : bits)
            if (on)
                flags |= flag;
        out << i.id << qint32(c.remotePeer) << i.address << i.port << i.peerId << flags << i.downloadRate
            << i.uploadRate << i.downloaded << i.uploaded << qint32(i.requestsOut) << qint32(i.requestsIn)
            << qint32(i.pipelineDepth) << i.rttMs << i.connectedAtMs << i.peerClient << i.peerExtensions;
        // A lab peer's pieces are in the frame already; only an outside peer's are kept here.
        const bool own = c.remotePeer < 0;
        out << own;
        if (own)
            writeBitfield(out, i.pieces);
    }
    return bytes;
}

bool readConnections(FrameReader& in, QList<LabConnectionSnapshot>& connections) {
    qint32 count = 0;
    in >> count;
    if (!in.ok() || count < 0 || count > kMaxConnections)
        return false;
    connections.clear();
    connections.reserve(qMin(count, 1024));
    for (qint32 k = 0; k < count; ++k) {
        LabConnectionSnapshot c;
        ConnectionSnapshot& i = c.info;
        qint32 remote = -1, requestsOut = 0, requestsIn = 0, depth = 0;
        quint16 flags = 0;
        bool own = false;
        in >> i.id >> remote >> i.address >> i.port >> i.peerId >> flags >> i.downloadRate >> i.uploadRate >>
            i.downloaded >> i.uploaded >> requestsOut >> requestsIn >> depth >> i.rttMs >> i.connectedAtMs >>
            i.peerClient >> i.peerExtensions >> own;
        if (!in.ok())
            return false;
        if (own && !readBitfield(in, i.pieces))
            return false;
        c.remotePeer = remote;
        i.outgoing = flags & Outgoing;
        i.amChoking = flags & AmChoking;
        i.amInterested = flags & AmInterested;
        i.peerChoking = flags & PeerChoking;
        i.peerInterested = flags & PeerInterested;
        i.optimistic = flags & Optimistic;
        i.snubbed = flags & Snubbed;
        i.seed = flags & Seed;
        i.extensionProtocol = flags & ExtensionProtocol;
        i.fastExtension = flags & FastExtension;
        i.requestsOut = requestsOut;
        i.requestsIn = requestsIn;
        i.pipelineDepth = depth;
        connections.append(std::move(c));
    }
    return true;
}

QByteArray headBytes(const SwarmSnapshot& s) {
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    writer(out) << s.sequence << s.downloadRate << s.uploadRate << qint32(s.torrents.size());
    for (const LabTorrentSnapshot& t : s.torrents)
        out << qint32(t.id) << t.infoHash << t.name << t.totalSize << t.pieceLength << qint32(t.pieceCount)
            << qint32(t.seeders) << qint32(t.leechers) << qint32(t.completedLeechers);
    return bytes;
}

bool readHead(FrameReader& in, SwarmSnapshot& s) {
    qint32 count = 0;
    in >> s.sequence >> s.downloadRate >> s.uploadRate >> count;
    if (!in.ok() || count < 0 || count > kMaxTorrents)
        return false;
    s.torrents.clear();
    for (qint32 k = 0; k < count; ++k) {
        LabTorrentSnapshot t;
        qint32 id = 0, pieces = 0, seeders = 0, leechers = 0, completed = 0;
        in >> id >> t.infoHash >> t.name >> t.totalSize >> t.pieceLength >> pieces >> seeders >> leechers >>
            completed;
        if (!in.ok())
            return false;
        t.id = id;
        t.pieceCount = pieces;
        t.seeders = seeders;
        t.leechers = leechers;
        t.completedLeechers = completed;
        s.torrents.append(t);
    }
    return true;
}

QByteArray controlBytes(const LabControlChange& c) {
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    const LabCommand::LinkChange& l = c.command.link;
    writer(out) << quint8(c.kind) << c.timeMs << qint32(c.peer) << quint8(c.command.kind) << bool(l.latencyMs)
                << l.latencyMs.value_or(0) << bool(l.jitterMs) << l.jitterMs.value_or(0) << bool(l.uploadRate)
                << l.uploadRate.value_or(0) << bool(l.downloadRate) << l.downloadRate.value_or(0)
                << quint8(c.command.picker) << c.command.enabled << c.speed << c.stepMs;
    return bytes;
}

std::optional<LabControlChange> readControl(const QByteArray& bytes) {
    QDataStream in(bytes);
    in.setVersion(kStreamVersion);
    LabControlChange c;
    quint8 kind = 0, commandKind = 0, picker = 0;
    qint32 peer = 0;
    bool has[4] = {};
    qint64 values[4] = {};
    in >> kind >> c.timeMs >> peer >> commandKind;
    for (int k = 0; k < 4; ++k)
        in >> has[k] >> values[k];
    in >> picker >> c.command.enabled >> c.speed >> c.stepMs;
    if (in.status() != QDataStream::Ok || kind > quint8(LabControlChange::Kind::Remove) ||
        commandKind > quint8(LabCommand::Kind::SetCorrupt) || picker > quint8(PickerStrategy::Sequential))
        return std::nullopt;
    c.kind = LabControlChange::Kind(kind);
    c.peer = peer;
    c.command.kind = LabCommand::Kind(commandKind);
    c.command.picker = PickerStrategy(picker);
    std::optional<qint64>* fields[4] = {&c.command.link.latencyMs, &c.command.link.jitterMs,
                                        &c.command.link.uploadRate, &c.command.link.downloadRate};
    for (int k = 0; k < 4; ++k)
        if (has[k])
            *fields[k] = values[k];
    return c;
}

void writeRecord(QByteArray& out, RecordType type, const QByteArray& payload) {
    QDataStream stream(&out, QIODevice::Append);
    writer(stream) << quint8(type) << quint32(payload.size());
    stream.writeRawData(payload.constData(), int(payload.size()));
}

} // namespace

Recording::Recording() = default;
Recording::~Recording() = default;
Recording::Recording(Recording&&) noexcept = default;
Recording& Recording::operator=(Recording&&) noexcept = default;

void Recording::clear() {
    m_frames.clear();
    m_controls.clear();
    m_encodedBytes = 0;
    m_lastKeyMs = 0;
    m_encoderState.clear();
    m_lastHead.clear();
    m_cursor = -1;
    m_cursorPeers.clear();
    m_cursorOrder.clear();
    m_kept.clear();
    m_keptBytes = 0;
}

void Recording::append(const SwarmSnapshot& snapshot) {
    if (!m_frames.empty() && snapshot.timeMs < m_frames.back().timeMs)
        return;
    const bool key = m_frames.empty() || snapshot.timeMs - m_lastKeyMs >= kKeyframeMs;
    QByteArray data = encode(snapshot, key);
    if (data.isEmpty())
        return; // nothing changed since the frame before
    if (key)
        m_lastKeyMs = snapshot.timeMs;
    m_encodedBytes += data.size();
    m_frames.push_back(Frame{snapshot.timeMs, key, std::move(data)});
}

void Recording::appendControl(const LabControlChange& change) {
    m_controls.append(change);
}

QByteArray Recording::encode(const SwarmSnapshot& snapshot, bool key) {
    QByteArray raw;
    QDataStream out(&raw, QIODevice::WriteOnly);
    writer(out);
    const QByteArray head = headBytes(snapshot);
    out << snapshot.timeMs << head << qint32(snapshot.peers.size());
    bool changed = key || snapshot.peers.size() != m_encoderState.size();
    QHash<int, PeerState> next;
    next.reserve(snapshot.peers.size());
    for (const LabPeerSnapshot& p : snapshot.peers) {
        PeerState state{identityBytes(p), scalarBytes(p), p.have, p.inFlight, connectionBytes(p.connections)};
        const auto prev = key ? m_encoderState.constEnd() : m_encoderState.constFind(p.id);
        const bool known = prev != m_encoderState.constEnd();
        quint8 parts = 0;
        if (!known || prev->identity != state.identity)
            parts |= Identity;
        if (!known || prev->scalars != state.scalars)
            parts |= Scalars;
        if (!known || prev->have != state.have)
            parts |= Have;
        if (!known || prev->inFlight != state.inFlight)
            parts |= InFlight;
        if (!known || prev->connections != state.connections)
            parts |= Connections;
        changed = changed || parts != 0 || !known;
        out << qint32(p.id) << parts;
        if (parts & Identity)
            out.writeRawData(state.identity.constData(), int(state.identity.size()));
        if (parts & Scalars)
            out.writeRawData(state.scalars.constData(), int(state.scalars.size()));
        if (parts & Have) {
            // Pieces are mostly only gained: list the new ones while that is the shorter form.
            const bool grows = known && prev->have.size() == p.have.size() && !prev->have.hasAnyNotIn(p.have);
            const Bitfield added = grows ? p.have.andNot(prev->have) : Bitfield();
            if (grows && qsizetype(added.count()) * 4 < Bitfield::wireSize(p.have.size())) {
                out << quint8(AddedPieces) << qint32(added.count());
                added.forEachSet([&out](int i) { out << qint32(i); });
            } else {
                out << quint8(WholeBitfield);
                writeBitfield(out, p.have);
            }
        }
        if (parts & InFlight)
            writeBitfield(out, p.inFlight);
        if (parts & Connections)
            out.writeRawData(state.connections.constData(), int(state.connections.size()));
        next.insert(p.id, std::move(state));
    }
    // Same peers, same figures, same sums: a paused clock's snapshot, not worth a frame.
    if (!changed && head == m_lastHead)
        return {};
    m_encoderState = std::move(next);
    m_lastHead = head;
    return qCompress(raw, 6);
}

bool Recording::decode(const QByteArray& data, bool key, QHash<int, LabPeerSnapshot>& peers,
                       QList<int>& order, SwarmSnapshot& head, QString* error, qsizetype* rawBytes) {
    auto fail = [error](const QString& why) {
        if (error)
            *error = why;
        return false;
    };
    if (data.size() < 4)
        return fail(QStringLiteral("a frame is cut short"));
    const quint32 claimed = (quint32(uchar(data[0])) << 24) | (quint32(uchar(data[1])) << 16) |
                            (quint32(uchar(data[2])) << 8) | quint32(uchar(data[3]));
    if (claimed > quint32(kMaxFrameBytes))
        return fail(QStringLiteral("a frame claims %1 bytes, more than %2").arg(claimed).arg(kMaxFrameBytes));
    const QByteArray raw = qUncompress(data);
    if (raw.isEmpty())
        return fail(QStringLiteral("a frame does not decompress"));
    if (rawBytes)
        *rawBytes = raw.size();
    FrameReader in(raw);
    QByteArray headData;
    qint32 count = 0;
    in >> head.timeMs >> headData >> count;
    if (!in.ok() || count < 0 || count > kMaxPeers)
        return fail(QStringLiteral("a frame's header is damaged"));
    {
        FrameReader headIn(headData);
        if (!readHead(headIn, head))
            return fail(QStringLiteral("a frame's torrents are damaged"));
    }
    if (key)
        peers.clear();
    QHash<int, LabPeerSnapshot> next;
    next.reserve(count);
    QList<int> nextOrder;
    nextOrder.reserve(count);
    for (qint32 k = 0; k < count; ++k) {
        qint32 id = 0;
        quint8 parts = 0;
        in >> id >> parts;
        if (!in.ok() || id <= 0 || next.contains(id))
            return fail(QStringLiteral("a frame's peer list is damaged"));
        auto prev = peers.find(id);
        if (prev == peers.end() && !(parts & Identity && parts & Scalars && parts & Have))
            return fail(QStringLiteral("peer %1 appears without its identity").arg(id));
        LabPeerSnapshot p = prev == peers.end() ? LabPeerSnapshot() : std::move(*prev);
        p.id = id;
        if ((parts & Identity) && !readIdentity(in, p))
            return fail(QStringLiteral("peer %1's identity is damaged").arg(id));
        if ((parts & Scalars) && !readScalars(in, p))
            return fail(QStringLiteral("peer %1's figures are damaged").arg(id));
        if (parts & Have) {
            quint8 encoding = 0;
            in >> encoding;
            if (encoding == AddedPieces) {
                qint32 added = 0;
                in >> added;
                if (!in.ok() || added < 0 || added > p.have.size())
                    return fail(QStringLiteral("peer %1's pieces are damaged").arg(id));
                for (qint32 a = 0; a < added; ++a) {
                    qint32 index = -1;
                    in >> index;
                    if (!in.ok() || index < 0 || index >= p.have.size())
                        return fail(QStringLiteral("peer %1's pieces are damaged").arg(id));
                    p.have.setBit(index);
                }
            } else if (encoding != WholeBitfield || !readBitfield(in, p.have)) {
                return fail(QStringLiteral("peer %1's pieces are damaged").arg(id));
            }
        }
        if ((parts & InFlight) && !readBitfield(in, p.inFlight))
            return fail(QStringLiteral("peer %1's pieces in flight are damaged").arg(id));
        if ((parts & Connections) && !readConnections(in, p.connections))
            return fail(QStringLiteral("peer %1's connections are damaged").arg(id));
        next.insert(id, std::move(p));
        nextOrder.append(id);
    }
    if (!in.ok() || !in.atEnd())
        return fail(QStringLiteral("a frame has bytes past its end"));
    peers = std::move(next);
    order = std::move(nextOrder);
    return true;
}

void Recording::linkPieces(QHash<int, LabPeerSnapshot>& peers) {
    for (auto it = peers.begin(); it != peers.end(); ++it) {
        LabPeerSnapshot& p = it.value();
        const QList<LabConnectionSnapshot>& connections = std::as_const(p.connections);
        for (qsizetype k = 0; k < connections.size(); ++k) {
            const LabConnectionSnapshot& c = connections[k];
            if (c.remotePeer < 0)
                continue;
            const auto remote = std::as_const(peers).constFind(c.remotePeer);
            if (remote == peers.constEnd()) {
                if (c.info.pieces.size() != p.pieceCount || !c.info.pieces.none())
                    p.connections[k].info.pieces = Bitfield(p.pieceCount);
            } else if (c.info.pieces.toWire().constData() != remote->have.toWire().constData() ||
                       c.info.pieces.size() != remote->have.size()) {
                // Written only when it differs: writing detaches the list from the moments that share it.
                if (c.info.pieces != remote->have)
                    p.connections[k].info.pieces = remote->have;
            }
        }
    }
}

qint64 Recording::keptEstimate(qsizetype rawBytes, qsizetype peers) {
    // The objects a decoded frame makes take about three times its bytes (measured on a 1000-peer run).
    return 3 * qint64(rawBytes) + 64 * qint64(peers);
}

SwarmSnapshotPtr Recording::assemble(const SwarmSnapshot& head, const QHash<int, LabPeerSnapshot>& peers,
                                     const QList<int>& order) {
    auto snapshot = std::make_shared<SwarmSnapshot>();
    snapshot->sequence = head.sequence;
    snapshot->timeMs = head.timeMs;
    snapshot->torrents = head.torrents;
    snapshot->downloadRate = head.downloadRate;
    snapshot->uploadRate = head.uploadRate;
    snapshot->peers.reserve(order.size());
    for (int id : order)
        snapshot->peers.append(peers.value(id));
    return snapshot;
}

const Recording::KeptMoment* Recording::kept(int frame) const {
    for (KeptMoment& m : m_kept) {
        if (m.frame == frame) {
            m.used = ++m_keptClock;
            return &m;
        }
    }
    return nullptr;
}

void Recording::setKeptBytes(qint64 bytes) {
    m_keptLimit = qMax<qint64>(0, bytes);
    m_kept.clear();
    m_keptBytes = 0;
}

void Recording::keep(int frame, const SwarmSnapshotPtr& snapshot, qint64 bytes) const {
    m_kept.push_back(KeptMoment{frame, snapshot, bytes, ++m_keptClock});
    m_keptBytes += bytes;
    while (m_keptBytes > m_keptLimit && m_kept.size() > 1) {
        const auto oldest =
            std::min_element(m_kept.begin(), m_kept.end() - 1,
                             [](const KeptMoment& a, const KeptMoment& b) { return a.used < b.used; });
        m_keptBytes -= oldest->bytes;
        m_kept.erase(oldest);
    }
}

void Recording::restoreCursor(int frame, const SwarmSnapshot& snapshot) const {
    m_cursorPeers.clear();
    m_cursorPeers.reserve(snapshot.peers.size());
    m_cursorOrder.clear();
    m_cursorOrder.reserve(snapshot.peers.size());
    for (const LabPeerSnapshot& p : snapshot.peers) {
        m_cursorPeers.insert(p.id, p);
        m_cursorOrder.append(p.id);
    }
    m_cursorHead = SwarmSnapshot();
    m_cursorHead.sequence = snapshot.sequence;
    m_cursorHead.timeMs = snapshot.timeMs;
    m_cursorHead.torrents = snapshot.torrents;
    m_cursorHead.downloadRate = snapshot.downloadRate;
    m_cursorHead.uploadRate = snapshot.uploadRate;
    m_cursor = frame;
}

int Recording::frameAt(qint64 ms) const {
    if (m_frames.empty())
        return -1;
    const auto it = std::upper_bound(m_frames.begin(), m_frames.end(), ms,
                                     [](qint64 t, const Frame& f) { return t < f.timeMs; });
    return it == m_frames.begin() ? 0 : int(it - m_frames.begin()) - 1;
}

SwarmSnapshotPtr Recording::snapshot(int frame) const {
    if (frame < 0 || frame >= frameCount())
        return nullptr;
    if (const KeptMoment* m = kept(frame))
        return m->snapshot;
    int key = frame;
    while (key > 0 && !m_frames[size_t(key)].key)
        --key;
    // Onwards from the latest decoded state between the keyframe and this frame: where the last read
    // stopped, or a kept moment; from the keyframe when there is neither.
    int from = key;
    if (m_cursor >= key && m_cursor <= frame)
        from = m_cursor + 1;
    else
        m_cursor = -1;
    const KeptMoment* nearest = nullptr;
    for (const KeptMoment& m : m_kept)
        if (m.frame >= from && m.frame < frame && (!nearest || m.frame > nearest->frame))
            nearest = &m;
    if (nearest) {
        restoreCursor(nearest->frame, *nearest->snapshot);
        from = nearest->frame + 1;
    }
    SwarmSnapshotPtr snapshot;
    if (from > frame) // the cursor is at this frame already (its moment was let go)
        snapshot = assemble(m_cursorHead, m_cursorPeers, m_cursorOrder);
    for (int k = from; k <= frame; ++k) {
        QString error;
        qsizetype raw = 0;
        if (!decode(m_frames[size_t(k)].data, m_frames[size_t(k)].key, m_cursorPeers, m_cursorOrder,
                    m_cursorHead, &error, &raw)) {
            qWarning("recorded frame %d does not decode: %s", k, qPrintable(error));
            m_cursor = -1;
            return nullptr; // frames made here or checked at load always decode
        }
        m_cursor = k;
        linkPieces(m_cursorPeers);
        snapshot = assemble(m_cursorHead, m_cursorPeers, m_cursorOrder);
        keep(k, snapshot, keptEstimate(raw, m_cursorOrder.size()));
    }
    return snapshot;
}

QByteArray Recording::toBytes() const {
    QByteArray out(kMagic, sizeof kMagic);
    {
        QDataStream stream(&out, QIODevice::Append);
        writer(stream) << kVersion;
    }
    QByteArray meta;
    {
        QDataStream stream(&meta, QIODevice::WriteOnly);
        writer(stream) << quint8(m_meta.timeMode) << m_meta.seed << m_meta.createdBy;
    }
    writeRecord(out, MetaRecord, meta);
    for (const Frame& f : m_frames) {
        QByteArray payload;
        QDataStream stream(&payload, QIODevice::WriteOnly);
        writer(stream) << f.key << f.timeMs;
        stream.writeRawData(f.data.constData(), int(f.data.size()));
        writeRecord(out, FrameRecord, payload);
    }
    for (const LabControlChange& c : m_controls)
        writeRecord(out, ControlRecord, controlBytes(c));
    return out;
}

bool Recording::save(const QString& path, QString* error) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray bytes = toBytes();
    if (file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

std::optional<Recording> Recording::fromBytes(const QByteArray& bytes, QString* error) {
    auto fail = [error](const QString& why) -> std::optional<Recording> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (bytes.size() < qsizetype(sizeof kMagic) + 4 || !bytes.startsWith(QByteArray(kMagic, sizeof kMagic)))
        return fail(QStringLiteral("not a Swarmscope recording"));
    QDataStream in(bytes);
    in.setVersion(kStreamVersion);
    in.skipRawData(sizeof kMagic);
    quint32 version = 0;
    in >> version;
    if (version != kVersion)
        return fail(QStringLiteral("a recording of format %1; this Swarmscope reads format %2")
                        .arg(version)
                        .arg(kVersion));
    Recording r;
    bool haveMeta = false;
    // Every frame is decoded once here, so a damaged one is refused now rather than when scrubbed to.
    QHash<int, LabPeerSnapshot> peers;
    QList<int> order;
    SwarmSnapshot head;
    while (!in.atEnd()) {
        quint8 type = 0;
        quint32 length = 0;
        in >> type >> length;
        if (in.status() != QDataStream::Ok || length > quint32(kMaxFrameBytes) ||
            qint64(length) > bytes.size() - in.device()->pos())
            return fail(
                QStringLiteral("the recording is cut short or damaged at byte %1").arg(in.device()->pos()));
        QByteArray payload(qsizetype(length), Qt::Uninitialized);
        in.readRawData(payload.data(), int(length));
        switch (type) {
        case MetaRecord: {
            QDataStream m(payload);
            m.setVersion(kStreamVersion);
            quint8 mode = 0;
            m >> mode >> r.m_meta.seed >> r.m_meta.createdBy;
            if (m.status() != QDataStream::Ok || mode > quint8(TimeMode::Simulated))
                return fail(QStringLiteral("the recording's header is damaged"));
            r.m_meta.timeMode = TimeMode(mode);
            haveMeta = true;
            break;
        }
        case FrameRecord: {
            QDataStream f(payload);
            f.setVersion(kStreamVersion);
            Frame frame;
            f >> frame.key >> frame.timeMs;
            if (f.status() != QDataStream::Ok)
                return fail(QStringLiteral("frame %1 is damaged").arg(r.frameCount() + 1));
            frame.data = payload.mid(f.device()->pos());
            if (r.m_frames.empty() && !frame.key)
                return fail(QStringLiteral("the recording does not start with a whole frame"));
            if (!r.m_frames.empty() && frame.timeMs < r.m_frames.back().timeMs)
                return fail(QStringLiteral("frame %1 goes back in time").arg(r.frameCount() + 1));
            QString why;
            qsizetype raw = 0;
            if (!decode(frame.data, frame.key, peers, order, head, &why, &raw))
                return fail(QStringLiteral("frame %1 is damaged: %2").arg(r.frameCount() + 1).arg(why));
            if (head.timeMs != frame.timeMs)
                return fail(
                    QStringLiteral("frame %1 is damaged: its times disagree").arg(r.frameCount() + 1));
            r.m_encodedBytes += frame.data.size();
            r.m_frames.push_back(std::move(frame));
            // Decoded anyway: kept, so that the first pass through the moments (the window's charts, the
            // last moment) reads none of them again, as far as the kept bytes allow.
            linkPieces(peers);
            r.keep(r.frameCount() - 1, assemble(head, peers, order), keptEstimate(raw, order.size()));
            break;
        }
        case ControlRecord: {
            std::optional<LabControlChange> c = readControl(payload);
            if (!c)
                return fail(QStringLiteral("control %1 is damaged").arg(r.m_controls.size() + 1));
            r.m_controls.append(*c);
            break;
        }
        default:
            break; // a later format's record: skipped
        }
    }
    if (!haveMeta)
        return fail(QStringLiteral("the recording has no header"));
    // It is read, not grown: appending to it again would start from a keyframe.
    r.m_lastKeyMs = std::numeric_limits<qint64>::min() / 2;
    return r;
}

std::optional<Recording> Recording::load(const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot open %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    if (file.size() > kMaxFileBytes) {
        if (error)
            *error = QStringLiteral("%1 is larger than %2 GiB").arg(path).arg(kMaxFileBytes >> 30);
        return std::nullopt;
    }
    QString why;
    std::optional<Recording> r = fromBytes(file.readAll(), &why);
    if (!r && error)
        *error = QStringLiteral("%1: %2").arg(path, why);
    return r;
}

} // namespace swarmscope
