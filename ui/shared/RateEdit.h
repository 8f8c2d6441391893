#pragma once

#include <QWidget>

class QComboBox;
class QSpinBox;

namespace swarmscope::ui {

// A rate in bytes per second typed as a number and a unit (KiB/s or MiB/s); 0 reads "unlimited".
class RateEdit : public QWidget {
    Q_OBJECT
public:
    explicit RateEdit(QWidget* parent = nullptr);

    qint64 bytesPerSecond() const;
    // Shows the value in the largest unit that holds it exactly; emits nothing.
    void setBytesPerSecond(qint64 rate);

signals:
    // Only on a user's edit, not on setBytesPerSecond().
    void rateEdited(qint64 bytesPerSecond);

private:
    QSpinBox* m_value;
    QComboBox* m_unit;
};

} // namespace swarmscope::ui
