#include "window/LabFolder.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QSettings>
#include <QStandardPaths>

namespace swarmscope::ui {

namespace {
const QString kParentKey = QStringLiteral("lab/folder");
const QString kKeepKey = QStringLiteral("lab/keepRuns");
} // namespace

QString LabFolder::defaultParent() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .filePath(QStringLiteral("labs"));
}

QString LabFolder::parent() {
    const QString chosen = QSettings().value(kParentKey).toString();
    return chosen.isEmpty() ? defaultParent() : chosen;
}

void LabFolder::setParent(const QString& folder) {
    QSettings().setValue(kParentKey, QDir::cleanPath(folder));
}

bool LabFolder::keepRuns() {
    return QSettings().value(kKeepKey, false).toBool();
}

void LabFolder::setKeepRuns(bool keep) {
    QSettings().setValue(kKeepKey, keep);
}

QString LabFolder::makeRunFolder(const QString& parentFolder, QString* error) {
    QDir parent(parentFolder);
    if (!parent.mkpath(QStringLiteral("."))) {
        if (error)
            *error =
                QCoreApplication::translate("swarmscope::ui::LabFolder", "cannot create the lab folder %1")
                    .arg(QDir::toNativeSeparators(parentFolder));
        return {};
    }
    const QString stem =
        QStringLiteral("run-") + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    for (int attempt = 1; attempt < 1000; ++attempt) {
        const QString name = attempt == 1 ? stem : QStringLiteral("%1-%2").arg(stem).arg(attempt);
        // mkdir, not mkpath: it fails when another instance made the same folder a moment ago.
        if (!parent.exists(name) && parent.mkdir(name))
            return parent.absoluteFilePath(name);
    }
    if (error)
        *error = QCoreApplication::translate("swarmscope::ui::LabFolder", "cannot create a run folder in %1")
                     .arg(QDir::toNativeSeparators(parentFolder));
    return {};
}

} // namespace swarmscope::ui
