#pragma once

#include <QMainWindow>

namespace swarmscope::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
};

} // namespace swarmscope::ui
