#pragma once

#include "scenario/Scenario.h"

#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace swarmscope {

// A variant of a scenario: the same run with one setting changed, for a side-by-side comparison (the GUI's
// compare view) in which that setting is the only difference. A setting is changed for every group, so
// that what differs between the two runs can be said in one sentence.
enum class VariantSetting {
    Picker,      // every group's picker: rarest-first, random, sequential
    Choker,      // every group's tit-for-tat choker: on, off
    Latency,     // every group's one-way latency: "0ms" to "60s"
    UploadCap,   // every group's upload cap: "0" (unlimited) or 1KiB/s to 1TiB/s
    DownloadCap, // every group's download cap, as the upload cap
    PieceSize,   // the content's piece size: a power of two from 16KiB to 16MiB
};

QList<VariantSetting> variantSettings();
// Stable lower-case names: "picker", "choker", "latency", "up", "down", "piece-size".
QString variantSettingName(VariantSetting setting);
std::optional<VariantSetting> variantSettingFromName(QStringView name);
// For people: "piece picker", "upload cap", ...
QString variantSettingTitle(VariantSetting setting);
// The values a setting takes, when they are a closed list (picker, choker); empty otherwise.
QStringList variantChoices(VariantSetting setting);

// The setting in scenario as a value applyVariant() takes ("random", "off", "20ms", "512KiB/s", "64KiB");
// when the groups differ, each group's value, joined by " / ". An automatic piece size reads "auto".
QString variantValue(const Scenario& scenario, VariantSetting setting);

// Changes setting to value in scenario: in every group, or the content's piece size. False, with *error
// saying what values the setting takes, when value is not one of them; scenario is then unchanged. The
// scenario's actions are left as they are (an action that sets the picker later still does).
bool applyVariant(Scenario& scenario, VariantSetting setting, const QString& value, QString* error = nullptr);

} // namespace swarmscope
