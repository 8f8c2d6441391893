#pragma once

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;

namespace swarmscope::ui {

// A rate in bytes per second typed as a number and a unit (KiB/s, MiB/s or GiB/s); 0 reads "unlimited".
// The rate is what the widget holds, the unit only how it is shown: changing the unit converts the number
// (1 MiB/s becomes 1024 KiB/s), it never changes the rate.
class RateEdit : public QWidget {
    Q_OBJECT
public:
    explicit RateEdit(QWidget* parent = nullptr);

    qint64 bytesPerSecond() const { return m_bytes; }
    // Shows the value in the largest unit that holds it exactly, or in the unit shown when the rate is the
    // one held already; emits nothing.
    void setBytesPerSecond(qint64 rate);
    // What the number and the unit read now, for tests and accessibility.
    double shownValue() const;
    QString unitText() const;
    QComboBox* unitBox() const { return m_unit; }

signals:
    // Only on a user's edit of the number, not on setBytesPerSecond() or a change of unit.
    void rateEdited(qint64 bytesPerSecond);

private:
    qint64 unitBytes() const;
    void showValue();

    QDoubleSpinBox* m_value;
    QComboBox* m_unit;
    qint64 m_bytes = 0;
};

} // namespace swarmscope::ui
