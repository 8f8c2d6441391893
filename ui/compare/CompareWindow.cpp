#include "compare/CompareWindow.h"

#include "compare/CompareClock.h"
#include "compare/CompareCompletionChart.h"
#include "compare/CompareRunPane.h"

#include "scenario/ScenarioParser.h"
#include "scenario/ScenarioRun.h"
#include "scenario/Units.h"
#include "swarm/SwarmLab.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHideEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

#include <cmath>

namespace swarmscope::ui {

namespace {

const QColor kColors[2] = {QColor(0x1f, 0x5f, 0xa8), QColor(0xb0, 0x3a, 0x8c)};
const QString kLetters[2] = {QStringLiteral("A"), QStringLiteral("B")};

// Two values a setting is worth comparing at, when the set-up gives no better idea.
std::pair<QString, QString> defaultValues(VariantSetting setting) {
    switch (setting) {
    case VariantSetting::Picker:
        return {QStringLiteral("rarest-first"), QStringLiteral("random")};
    case VariantSetting::Choker:
        return {QStringLiteral("on"), QStringLiteral("off")};
    case VariantSetting::Latency:
        return {QStringLiteral("0ms"), QStringLiteral("200ms")};
    case VariantSetting::UploadCap:
        return {QStringLiteral("512KiB/s"), QStringLiteral("128KiB/s")};
    case VariantSetting::DownloadCap:
        return {QStringLiteral("0"), QStringLiteral("256KiB/s")};
    case VariantSetting::PieceSize:
        return {QStringLiteral("64KiB"), QStringLiteral("512KiB")};
    }
    return {};
}

// Suggestions in the value boxes, which also take any other value typed in.
QStringList suggestions(VariantSetting setting) {
    switch (setting) {
    case VariantSetting::Picker:
    case VariantSetting::Choker:
        return variantChoices(setting);
    case VariantSetting::Latency:
        return {QStringLiteral("0ms"),   QStringLiteral("20ms"),  QStringLiteral("50ms"),
                QStringLiteral("100ms"), QStringLiteral("200ms"), QStringLiteral("400ms")};
    case VariantSetting::UploadCap:
    case VariantSetting::DownloadCap:
        return {QStringLiteral("0"),        QStringLiteral("64KiB/s"),  QStringLiteral("128KiB/s"),
                QStringLiteral("256KiB/s"), QStringLiteral("512KiB/s"), QStringLiteral("1MiB/s")};
    case VariantSetting::PieceSize:
        return {QStringLiteral("16KiB"),  QStringLiteral("32KiB"),  QStringLiteral("64KiB"),
                QStringLiteral("256KiB"), QStringLiteral("512KiB"), QStringLiteral("1MiB")};
    }
    return {};
}

QString describe(const Scenario& s) {
    int seeders = 0;
    int leechers = 0;
    for (const ScenarioGroup& g : s.groups)
        (g.role == TorrentRole::Seeder ? seeders : leechers) += g.count;
    QString content = s.content.source == ContentSource::Generated ? formatSizeExact(s.content.size)
                                                                   : QFileInfo(s.content.path).fileName();
    if (s.content.pieceSize > 0)
        content = QObject::tr("%1 in %2 pieces").arg(content, formatSizeExact(s.content.pieceSize));
    const QString seederText =
        seeders == 1 ? QObject::tr("1 seeder") : QObject::tr("%1 seeders").arg(seeders);
    const QString leecherText =
        leechers == 1 ? QObject::tr("1 leecher") : QObject::tr("%1 leechers").arg(leechers);
    return QObject::tr("%1, %2 + %3").arg(content, seederText, leecherText);
}

} // namespace

CompareWindow::CompareWindow(QWidget* parent) : QWidget(parent, Qt::Window) {
    setObjectName(QStringLiteral("compareWindow"));
    setWindowTitle(tr("Compare Two Runs — Swarmscope"));
    setAttribute(Qt::WA_DeleteOnClose, false);
    m_clock = new CompareClock(this);

    auto* layout = new QVBoxLayout(this);
    auto* form = new QWidget(this);
    buildForm(form);
    layout->addWidget(form);

    m_banner = new QLabel(this);
    m_banner->setObjectName(QStringLiteral("compareBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextFormat(Qt::RichText);
    m_banner->setStyleSheet(QStringLiteral(
        "QLabel { background: #fff6d6; border: 1px solid #e0c060; padding: 6px; font-size: 120%; }"));
    layout->addWidget(m_banner);
    m_errorLabel = new QLabel(this);
    m_errorLabel->setObjectName(QStringLiteral("compareError"));
    m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #b00020; }"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->hide();
    layout->addWidget(m_errorLabel);

    auto* clockRow = new QHBoxLayout;
    m_runPause = new QPushButton(this);
    m_runPause->setObjectName(QStringLiteral("compareRunPause"));
    m_runPause->setMinimumWidth(110);
    connect(m_runPause, &QPushButton::clicked, this, [this]() {
        if (m_clock->isRunning())
            pause();
        else
            run();
    });
    m_speed = new QComboBox(this);
    m_speed->setObjectName(QStringLiteral("compareSpeed"));
    for (double s : {0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0})
        m_speed->addItem(tr("%1×").arg(s), s);
    m_speed->addItem(tr("fastest"), 0.0);
    m_speed->setCurrentIndex(m_speed->findData(1.0));
    m_speed->setToolTip(tr("Lab seconds per wall second, for both runs at once. Fastest runs as fast as the "
                           "computer can; both runs still move in step."));
    connect(m_speed, &QComboBox::activated, this,
            [this](int i) { setSpeed(m_speed->itemData(i).toDouble()); });
    m_time = new QLabel(this);
    m_time->setObjectName(QStringLiteral("compareTime"));
    clockRow->addWidget(new QLabel(tr("One clock for both runs:"), this));
    clockRow->addWidget(m_runPause);
    clockRow->addWidget(new QLabel(tr("Speed:"), this));
    clockRow->addWidget(m_speed);
    clockRow->addSpacing(12);
    clockRow->addWidget(m_time, 1);
    layout->addLayout(clockRow);

    auto* body = new QSplitter(Qt::Horizontal, this);
    auto* runs = new QSplitter(Qt::Vertical, body);
    for (int i = 0; i < 2; ++i) {
        auto* pane = new CompareRunPane(runs);
        pane->setObjectName(QStringLiteral("compareRun%1").arg(kLetters[i]));
        m_panes.append(pane);
        runs->addWidget(pane);
    }
    auto* right = new QWidget(body);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    m_chart = new CompareCompletionChart(right);
    m_summary = new QLabel(right);
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setWordWrap(true);
    m_summary->setContentsMargins(8, 4, 8, 4);
    rightLayout->addWidget(m_chart, 1);
    rightLayout->addWidget(m_summary);
    body->addWidget(runs);
    body->addWidget(right);
    body->setSizes({820, 600});
    layout->addWidget(body, 1);

    m_refresh.setInterval(100);
    connect(&m_refresh, &QTimer::timeout, this, &CompareWindow::updateClockControls);
    connect(m_clock, &CompareClock::changed, this, [this]() {
        if (!m_refresh.isActive())
            m_refresh.start();
    });
    resize(1440, 900);
    onSettingChanged();
    updateClockControls();
}

CompareWindow::~CompareWindow() {
    m_clock->clear();
    clearRuns();
}

void CompareWindow::buildForm(QWidget* form) {
    auto* row = new QHBoxLayout(form);
    row->setContentsMargins(0, 0, 0, 0);
    m_base = new QComboBox(form);
    m_base->setObjectName(QStringLiteral("compareBase"));
    m_base->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_bases.append(demoScenario());
    m_baseNames.append(tr("the demo set-up"));
    m_base->addItem(tr("Demo set-up: %1").arg(describe(m_bases.first())));
    m_base->addItem(tr("Open a scenario file…"));
    m_base->setToolTip(tr("What both runs are made of: the file, its pieces, the peers and their links. "
                          "Both runs start from the same seed."));
    connect(m_base, &QComboBox::activated, this, &CompareWindow::onBaseChanged);
    m_setting = new QComboBox(form);
    m_setting->setObjectName(QStringLiteral("compareSetting"));
    for (VariantSetting s : variantSettings())
        m_setting->addItem(variantSettingTitle(s), int(s));
    m_setting->setToolTip(tr("The one setting in which run B differs from run A, for every peer"));
    connect(m_setting, &QComboBox::activated, this, [this]() { onSettingChanged(); });
    m_valueA = new QComboBox(form);
    m_valueA->setObjectName(QStringLiteral("compareValueA"));
    m_valueB = new QComboBox(form);
    m_valueB->setObjectName(QStringLiteral("compareValueB"));
    for (QComboBox* box : {m_valueA, m_valueB}) {
        box->setEditable(true);
        box->setMinimumContentsLength(10);
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    }
    m_start = new QPushButton(tr("Start Both Runs"), form);
    m_start->setObjectName(QStringLiteral("compareStart"));
    m_start->setDefault(true);
    connect(m_start, &QPushButton::clicked, this, [this]() { start(); });
    row->addWidget(new QLabel(tr("Set-up:"), form));
    row->addWidget(m_base);
    row->addSpacing(12);
    row->addWidget(new QLabel(tr("Differs in:"), form));
    row->addWidget(m_setting);
    auto* a = new QLabel(tr("Run A:"), form);
    a->setStyleSheet(QStringLiteral("QLabel { color: %1; font-weight: bold; }").arg(kColors[0].name()));
    auto* b = new QLabel(tr("Run B:"), form);
    b->setStyleSheet(QStringLiteral("QLabel { color: %1; font-weight: bold; }").arg(kColors[1].name()));
    row->addSpacing(12);
    row->addWidget(a);
    row->addWidget(m_valueA);
    row->addWidget(b);
    row->addWidget(m_valueB);
    row->addSpacing(12);
    row->addWidget(m_start);
    row->addStretch(1);
}

void CompareWindow::onSettingChanged() {
    const auto setting = VariantSetting(m_setting->currentData().toInt());
    const auto [a, b] = defaultValues(setting);
    const QStringList items = suggestions(setting);
    for (QComboBox* box : {m_valueA, m_valueB}) {
        box->clear();
        box->addItems(items);
        // A closed list is picked from; the others take any value typed in.
        box->setEditable(variantChoices(setting).isEmpty());
    }
    m_valueA->setCurrentText(a);
    m_valueB->setCurrentText(b);
    if (m_valueA->findText(a) >= 0)
        m_valueA->setCurrentIndex(m_valueA->findText(a));
    if (m_valueB->findText(b) >= 0)
        m_valueB->setCurrentIndex(m_valueB->findText(b));
}

void CompareWindow::onBaseChanged(int index) {
    if (index == m_base->count() - 1) // "Open a scenario file…"
        chooseScenarioFile();
}

void CompareWindow::chooseScenarioFile() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Scenario"), QString(),
                                                      tr("Scenario files (*.toml);;All files (*)"));
    if (path.isEmpty() || !loadScenarioFile(path))
        m_base->setCurrentIndex(0);
}

bool CompareWindow::loadScenarioFile(const QString& path) {
    const ScenarioParseResult r = readScenarioFile(path);
    if (!r.ok()) {
        showError(r.message());
        return false;
    }
    CompareSetup s;
    s.base = *r.scenario;
    s.baseName = QFileInfo(path).fileName();
    s.setting = VariantSetting(m_setting->currentData().toInt());
    s.valueA = m_valueA->currentText();
    s.valueB = m_valueB->currentText();
    const int index = int(m_bases.size());
    m_bases.append(s.base);
    m_baseNames.append(s.baseName);
    m_base->insertItem(index, tr("%1: %2").arg(s.baseName, describe(s.base)));
    m_base->setCurrentIndex(index);
    return true;
}

void CompareWindow::setSetup(const CompareSetup& setup) {
    const int index = int(m_bases.size());
    m_bases.append(setup.base);
    m_baseNames.append(setup.baseName);
    m_base->insertItem(index, tr("%1: %2").arg(setup.baseName, describe(setup.base)));
    m_base->setCurrentIndex(index);
    m_setting->setCurrentIndex(m_setting->findData(int(setup.setting)));
    onSettingChanged();
    m_valueA->setCurrentText(setup.valueA);
    m_valueB->setCurrentText(setup.valueB);
    if (m_valueA->findText(setup.valueA) >= 0)
        m_valueA->setCurrentIndex(m_valueA->findText(setup.valueA));
    if (m_valueB->findText(setup.valueB) >= 0)
        m_valueB->setCurrentIndex(m_valueB->findText(setup.valueB));
}

std::optional<CompareSetup> CompareWindow::setup(QString* error) const {
    const int index = m_base->currentIndex();
    if (index < 0 || index >= m_bases.size()) {
        if (error)
            *error = tr("pick a set-up first");
        return std::nullopt;
    }
    CompareSetup s;
    s.base = m_bases.at(index);
    s.baseName = m_baseNames.at(index);
    s.setting = VariantSetting(m_setting->currentData().toInt());
    s.valueA = m_valueA->currentText().trimmed();
    s.valueB = m_valueB->currentText().trimmed();
    return s;
}

bool CompareWindow::start(const CompareSetup& s) {
    setSetup(s);
    return start();
}

void CompareWindow::clearRuns() {
    for (ScenarioRun* run : std::as_const(m_runs))
        delete run; // drops the lab's peers at once: a simulated lab has nothing to say goodbye to
    m_runs.clear();
}

bool CompareWindow::start() {
    QString error;
    const std::optional<CompareSetup> s = setup(&error);
    std::optional<std::pair<Scenario, Scenario>> scenarios;
    if (s)
        scenarios = compareScenarios(*s, &error);
    if (!scenarios) {
        showError(error);
        return false;
    }
    m_clock->clear();
    clearRuns();
    m_reportedFinished = false;
    m_error.clear();
    m_errorLabel->hide();
    const quint32 seed = s->base.time.seed.value_or(1);
    const QString title = variantSettingTitle(s->setting);
    const QString values[2] = {s->valueA, s->valueB};
    m_values = {s->valueA, s->valueB};
    QList<QString> names;
    for (int i = 0; i < 2; ++i)
        // Short, for the legend: "on" alone would not say what is on.
        names.append(tr("%1: %2").arg(
            kLetters[i], s->setting == VariantSetting::Choker ? tr("choker %1").arg(values[i]) : values[i]));
    m_chart->reset(names, {kColors[0], kColors[1]});
    const Scenario* parts[2] = {&scenarios->first, &scenarios->second};
    for (int i = 0; i < 2; ++i) {
        ScenarioRunOptions options;
        options.seed = seed; // the same seed: the runs differ only in the setting
        options.timeMode = TimeMode::Simulated;
        options.startPaused = true;
        options.createdBy = QStringLiteral("Swarmscope");
        auto* run = new ScenarioRun(*parts[i], options);
        const ContentPrepResult prepared = run->prepare();
        if (!prepared.ok() || !run->start()) {
            const QString why = prepared.ok() ? run->errorString() : prepared.error;
            delete run;
            clearRuns();
            showError(tr("Run %1 cannot start: %2").arg(kLetters[i], why));
            return false;
        }
        m_runs.append(run);
        CompareRunPane* pane = m_panes.at(i);
        pane->clear();
        pane->setRun(kLetters[i], tr("%1: %2").arg(title, values[i]), kColors[i]);
        pane->setBoundSeconds(run->result().boundSeconds);
        m_chart->setBound(i, run->result().boundSeconds);
        SwarmLab* lab = run->lab();
        lab->setSnapshotRate(10);
        connect(lab, &SwarmLab::snapshotReady, this, [this, i](const SwarmSnapshotPtr& snapshot) {
            m_panes.at(i)->setSnapshot(snapshot);
            m_chart->setSnapshot(i, snapshot);
        });
        connect(run, &ScenarioRun::finished, this, [this, i]() { onRunFinished(i); });
    }
    m_difference =
        tr("Only one setting differs: the <b>%1</b>. <span style='color:%2'><b>Run A</b>: %3</span> · "
           "<span style='color:%4'><b>Run B</b>: %5</span>. Everything else is the same: %6 (%7), seed %8, "
           "and one clock for both.")
            .arg(title.toHtmlEscaped(), kColors[0].name(), s->valueA.toHtmlEscaped(), kColors[1].name(),
                 s->valueB.toHtmlEscaped(), s->baseName.toHtmlEscaped(), describe(s->base).toHtmlEscaped())
            .arg(seed);
    m_banner->setText(m_difference);
    updateSummary();
    m_clock->setSpeed(m_speed->currentData().toDouble());
    m_clock->setRuns(m_runs);
    m_clock->run();
    updateClockControls();
    return true;
}

void CompareWindow::onRunFinished(int index) {
    ScenarioRun* r = run(index);
    if (!r)
        return;
    m_panes.at(index)->setResult(r->result());
    updateSummary();
    if (!m_reportedFinished && m_clock->isDone()) {
        m_reportedFinished = true;
        emit finished();
    }
    updateClockControls();
}

void CompareWindow::updateSummary() {
    QString text = tr("<p style='font-size:large'><b>Result</b></p>");
    for (int i = 0; i < m_runs.size(); ++i) {
        const CompareRunPane* p = m_panes.at(i);
        const ScenarioRun* r = m_runs.at(i);
        const QString who = tr("<span style='color:%1'><b>Run %2</b> (%3)</span>")
                                .arg(kColors[i].name(), kLetters[i], m_values.value(i).toHtmlEscaped());
        QString what;
        if (!r->isFinished())
            what = tr("still running");
        else if (std::isfinite(p->ratio()))
            what = tr("last leecher done after <b>%1 s</b>, <b>%2 ×</b> the bound")
                       .arg(p->lastCompletionSeconds(), 0, 'f', 1)
                       .arg(p->ratio(), 0, 'f', 2);
        else
            what = tr("not every leecher completed");
        text += tr("<p style='font-size:large'>%1: %2</p>").arg(who, what);
    }
    text += tr("<p>Each step of a curve is one leecher getting the whole file. The dashed line is the "
               "Kumar–Ross bound: no swarm with these upload caps can give every leecher the file sooner, "
               "so 1.00 × would be perfect and the run nearer to it used its uploads better.</p>");
    m_summary->setText(text);
}

void CompareWindow::hideEvent(QHideEvent* event) {
    if (!m_runs.isEmpty() && m_clock->isRunning() && !event->spontaneous())
        pause();
    QWidget::hideEvent(event);
}

void CompareWindow::run() {
    m_clock->run();
    updateClockControls();
}

void CompareWindow::pause() {
    m_clock->pause();
    updateClockControls();
}

void CompareWindow::setSpeed(double speed) {
    m_clock->setSpeed(speed);
    const int index = m_speed->findData(m_clock->speed());
    if (index >= 0)
        m_speed->setCurrentIndex(index);
}

ScenarioRun* CompareWindow::run(int index) const {
    return index >= 0 && index < m_runs.size() ? m_runs.at(index) : nullptr;
}

CompareRunPane* CompareWindow::pane(int index) const {
    return m_panes.value(index);
}

QString CompareWindow::differenceText() const {
    return m_difference;
}

void CompareWindow::showError(const QString& message) {
    m_error = message;
    m_errorLabel->setText(message);
    m_errorLabel->setVisible(!message.isEmpty());
}

void CompareWindow::updateClockControls() {
    const bool hasRuns = !m_runs.isEmpty();
    m_runPause->setEnabled(hasRuns && !m_clock->isDone());
    m_runPause->setText(m_clock->isRunning() ? tr("⏸ Pause") : tr("▶ Run"));
    if (!hasRuns) {
        m_banner->setText(tr("Pick a set-up, the one setting that differs and its two values, then "
                             "<b>Start Both Runs</b>. Both runs start from the same seed and share one "
                             "clock, so any difference you see comes from that one setting."));
        m_time->setText(QString());
        m_refresh.stop();
        return;
    }
    const double seconds = m_clock->labMs() / 1000.0;
    QString state;
    if (m_clock->isDone())
        state = tr("both runs finished");
    else if (m_clock->isRunning())
        state = tr("running");
    else
        state = m_clock->isSettled() ? tr("paused, both at the same instant") : tr("pausing…");
    m_time->setText(tr("Lab time <b>%1 s</b> in both runs — %2").arg(seconds, 0, 'f', 1).arg(state));
    if (!m_clock->isRunning() && (m_clock->isSettled() || m_clock->isDone()))
        m_refresh.stop();
}

} // namespace swarmscope::ui
