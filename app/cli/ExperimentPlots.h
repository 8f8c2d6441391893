#pragma once

#include "scenario/Experiment.h"

#include <QString>

namespace swarmscope::cli {

// Whether this build can draw plots (the desktop build, with Qt Charts); a reason when not.
bool canRenderPlots(QString* why = nullptr);

// Draws one experiment plot with Qt Charts, off screen, into a PNG. False with *error when it cannot.
bool renderExperimentPlot(const ExperimentPlot& plot, const QString& path, QString* error);

} // namespace swarmscope::cli
