#pragma once

#include "scenario/Scenario.h"

#include <QString>
#include <QStringList>

namespace swarmscope::ui {

class LabController;

// A run of the window's lab as a scenario file would describe it: what Save Scenario writes.
struct ScenarioCapture {
    Scenario scenario;
    // What the file cannot say, or says only roughly, one sentence each: the save confirmation lists them.
    QStringList notes;
    // Whether a rerun with the file's seed repeats the run exactly (simulated time, nothing in notes that
    // changes what the peers do).
    bool exact = false;
};

// The set-up of the shown torrent's lab (content, time mode and seed, its peers in groups of equal start)
// and the controls it got until now from SwarmLab::controlLog(), as timed actions. Peers are grouped in
// the order of their ids, so that a rerun numbers them (and seeds them) as the lab did. The clock's own
// controls (pause, speed, step) are not written: a scenario's actions are what happens to peers.
ScenarioCapture captureScenario(const LabController& controller);

} // namespace swarmscope::ui
