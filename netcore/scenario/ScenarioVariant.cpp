#include "scenario/ScenarioVariant.h"

#include "scenario/ScenarioActionParser.h"
#include "scenario/Units.h"

namespace swarmscope {

namespace {

QString groupValue(const ScenarioGroup& group, VariantSetting setting) {
    switch (setting) {
    case VariantSetting::Picker:
        return pickerStrategyName(group.picker);
    case VariantSetting::Choker:
        return group.choker ? QStringLiteral("on") : QStringLiteral("off");
    case VariantSetting::Latency:
        return formatDuration(group.link.latencyMs);
    case VariantSetting::UploadCap:
        return formatRateExact(group.link.uploadRate);
    case VariantSetting::DownloadCap:
        return formatRateExact(group.link.downloadRate);
    case VariantSetting::PieceSize:
        break;
    }
    return {};
}

std::optional<qint64> parseCap(const QString& value, QString* error, const QString& what) {
    const std::optional<qint64> rate = parseRate(value.trimmed());
    if (!rate || (*rate != 0 && (*rate < kMinCapRate || *rate > kMaxCapRate))) {
        if (error)
            *error = QStringLiteral("%1 must be 0 (unlimited) or a rate from %2 to %3, such as \"512KiB/s\", "
                                    "not '%4'")
                         .arg(what, formatRateExact(kMinCapRate), formatRateExact(kMaxCapRate), value);
        return std::nullopt;
    }
    return rate;
}

} // namespace

QList<VariantSetting> variantSettings() {
    return {VariantSetting::Picker,    VariantSetting::Choker,      VariantSetting::Latency,
            VariantSetting::UploadCap, VariantSetting::DownloadCap, VariantSetting::PieceSize};
}

QString variantSettingName(VariantSetting setting) {
    switch (setting) {
    case VariantSetting::Picker:
        return QStringLiteral("picker");
    case VariantSetting::Choker:
        return QStringLiteral("choker");
    case VariantSetting::Latency:
        return QStringLiteral("latency");
    case VariantSetting::UploadCap:
        return QStringLiteral("up");
    case VariantSetting::DownloadCap:
        return QStringLiteral("down");
    case VariantSetting::PieceSize:
        return QStringLiteral("piece-size");
    }
    return {};
}

std::optional<VariantSetting> variantSettingFromName(QStringView name) {
    for (VariantSetting s : variantSettings())
        if (name.compare(variantSettingName(s), Qt::CaseInsensitive) == 0)
            return s;
    return std::nullopt;
}

QString variantSettingTitle(VariantSetting setting) {
    switch (setting) {
    case VariantSetting::Picker:
        return QStringLiteral("piece picker");
    case VariantSetting::Choker:
        return QStringLiteral("tit-for-tat choker");
    case VariantSetting::Latency:
        return QStringLiteral("latency");
    case VariantSetting::UploadCap:
        return QStringLiteral("upload cap");
    case VariantSetting::DownloadCap:
        return QStringLiteral("download cap");
    case VariantSetting::PieceSize:
        return QStringLiteral("piece size");
    }
    return {};
}

QStringList variantChoices(VariantSetting setting) {
    switch (setting) {
    case VariantSetting::Picker:
        return {pickerStrategyName(PickerStrategy::RarestFirst), pickerStrategyName(PickerStrategy::Random),
                pickerStrategyName(PickerStrategy::Sequential)};
    case VariantSetting::Choker:
        return {QStringLiteral("on"), QStringLiteral("off")};
    case VariantSetting::Latency:
    case VariantSetting::UploadCap:
    case VariantSetting::DownloadCap:
    case VariantSetting::PieceSize:
        break;
    }
    return {};
}

QString variantValue(const Scenario& scenario, VariantSetting setting) {
    if (setting == VariantSetting::PieceSize)
        return scenario.content.pieceSize == 0 ? QStringLiteral("auto")
                                               : formatSizeExact(scenario.content.pieceSize);
    QStringList values;
    for (const ScenarioGroup& group : scenario.groups) {
        const QString v = groupValue(group, setting);
        if (!values.contains(v))
            values.append(v);
    }
    return values.join(QStringLiteral(" / "));
}

bool applyVariant(Scenario& scenario, VariantSetting setting, const QString& value, QString* error) {
    const QString text = value.trimmed();
    switch (setting) {
    case VariantSetting::Picker: {
        const std::optional<PickerStrategy> picker = pickerStrategyFromName(text);
        if (!picker) {
            if (error)
                *error = QStringLiteral("the picker must be rarest-first, random or sequential, not '%1'")
                             .arg(value);
            return false;
        }
        for (ScenarioGroup& g : scenario.groups)
            g.picker = *picker;
        return true;
    }
    case VariantSetting::Choker: {
        const bool on = text.compare(u"on", Qt::CaseInsensitive) == 0;
        if (!on && text.compare(u"off", Qt::CaseInsensitive) != 0) {
            if (error)
                *error = QStringLiteral("the choker must be on or off, not '%1'").arg(value);
            return false;
        }
        for (ScenarioGroup& g : scenario.groups)
            g.choker = on;
        return true;
    }
    case VariantSetting::Latency: {
        const std::optional<qint64> ms = parseDuration(text);
        if (!ms || *ms > kMaxLatencyMs) {
            if (error)
                *error = QStringLiteral(
                             "the latency must be a duration from 0ms to %1, such as \"50ms\", not '%2'")
                             .arg(formatDuration(kMaxLatencyMs), value);
            return false;
        }
        for (ScenarioGroup& g : scenario.groups)
            g.link.latencyMs = *ms;
        return true;
    }
    case VariantSetting::UploadCap: {
        const std::optional<qint64> rate = parseCap(value, error, QStringLiteral("the upload cap"));
        if (!rate)
            return false;
        for (ScenarioGroup& g : scenario.groups)
            g.link.uploadRate = *rate;
        return true;
    }
    case VariantSetting::DownloadCap: {
        const std::optional<qint64> rate = parseCap(value, error, QStringLiteral("the download cap"));
        if (!rate)
            return false;
        for (ScenarioGroup& g : scenario.groups)
            g.link.downloadRate = *rate;
        return true;
    }
    case VariantSetting::PieceSize: {
        const std::optional<qint64> size = parseSize(text);
        const bool powerOfTwo = size && *size > 0 && (*size & (*size - 1)) == 0;
        if (!powerOfTwo || *size < kMinScenarioPieceSize || *size > kMaxScenarioPieceSize) {
            if (error)
                *error = QStringLiteral("the piece size must be a power of two from 16KiB to 16MiB, not '%1'")
                             .arg(value);
            return false;
        }
        scenario.content.pieceSize = *size;
        return true;
    }
    }
    return false;
}

} // namespace swarmscope
