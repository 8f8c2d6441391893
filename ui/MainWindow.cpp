#include "MainWindow.h"

namespace swarmscope::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(QStringLiteral("Swarmscope"));
}

} // namespace swarmscope::ui
