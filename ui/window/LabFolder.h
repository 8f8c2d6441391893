#pragma once

#include <QString>

namespace swarmscope::ui {

// Where the lab keeps its peers' files: a folder the user picks once (remembered in the settings), holding
// one folder per run of the app, so that runs never mix their peers' data. A run's folder is removed when
// the app closes, unless the user chose to keep them.
class LabFolder {
public:
    // <the user's application data folder>/labs
    static QString defaultParent();
    // The chosen folder, or the default.
    static QString parent();
    static void setParent(const QString& folder);
    // Whether run folders stay after the app closes (default: no).
    static bool keepRuns();
    static void setKeepRuns(bool keep);

    // Makes a new, empty run folder under parent: run-<date>-<time>, with a suffix when that exists. Empty
    // with *error set when it cannot be made.
    static QString makeRunFolder(const QString& parentFolder, QString* error = nullptr);
};

} // namespace swarmscope::ui
