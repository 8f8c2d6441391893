#include "SwarmLabFixture.h"

#include "metainfo/TorrentCreator.h"
#include "swarm/PseudoRandomFile.h"

#include <QDir>
#include <QTest>

using namespace swarmscope;

SwarmLabFixture::SwarmLabFixture(qint64 size, qint64 pieceLength, const SwarmLabConfig& config) {
    if (!m_dir.isValid())
        return;
    const QString source = m_dir.filePath(QStringLiteral("source"));
    QDir().mkpath(source);
    const QString file = QDir(source).filePath(QStringLiteral("data.bin"));
    if (!writePseudoRandomFile(file, size, 7))
        return;
    TorrentCreateOptions options;
    options.path = file;
    options.pieceLength = pieceLength;
    options.includeDate = false;
    TorrentCreator creator(options);
    const TorrentCreateResult created = creator.run();
    if (!created.ok())
        return;
    MetainfoParseResult parsed = parseMetainfo(created.torrent);
    if (!parsed.ok())
        return;
    m_metainfo = *parsed.metainfo;

    SwarmLabConfig labConfig = config;
    if (labConfig.labDir.isEmpty())
        labConfig.labDir = m_dir.filePath(QStringLiteral("lab"));
    m_lab = std::make_unique<SwarmLab>(labConfig);
    QObject::connect(m_lab.get(), &SwarmLab::snapshotReady,
                     [this](const SwarmSnapshotPtr& s) { m_snapshots.append(s); });
    QObject::connect(m_lab.get(), &SwarmLab::eventsReady,
                     [this](const QList<SwarmEvent>& events, int) { m_events.append(events); });
    QObject::connect(m_lab.get(), &SwarmLab::peerCompleted,
                     [this](int peer, double) { m_completed.append(peer); });
    if (!m_lab->start())
        return;
    m_torrent = m_lab->addTorrent(m_metainfo, source, true);
    m_valid = m_torrent > 0;
}

bool SwarmLabFixture::waitForSnapshot(const std::function<bool(const SwarmSnapshot&)>& test, int timeoutMs) {
    return QTest::qWaitFor([&] { return last() && test(*last()); }, timeoutMs);
}

const LabPeerSnapshot* SwarmLabFixture::peer(int id) const {
    return last() ? last()->peer(id) : nullptr;
}
