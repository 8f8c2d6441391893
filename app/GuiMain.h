#pragma once

// Starts the desktop lab; returns the process exit code.
int runGui(int argc, char** argv);
