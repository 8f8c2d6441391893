#include "shared/RateEdit.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QSignalBlocker>

#include <cmath>

namespace swarmscope::ui {

namespace {

constexpr qint64 kKiB = 1024;
constexpr qint64 kMiB = 1024 * kKiB;
constexpr qint64 kGiB = 1024 * kMiB;
constexpr qint64 kMaxRate = 64 * kGiB;

// "1024", "1.5", "0.001": as many decimals as the value needs, not a fixed "1.000".
class RateSpinBox : public QDoubleSpinBox {
public:
    using QDoubleSpinBox::QDoubleSpinBox;
    QString textFromValue(double value) const override {
        QString text = locale().toString(value, 'f', decimals());
        const QChar point = locale().decimalPoint().front();
        if (text.contains(point)) {
            while (text.endsWith(u'0'))
                text.chop(1);
            if (text.endsWith(point))
                text.chop(1);
        }
        text.remove(locale().groupSeparator());
        return text;
    }
};

} // namespace

RateEdit::RateEdit(QWidget* parent) : QWidget(parent) {
    m_value = new RateSpinBox(this);
    m_value->setDecimals(3);
    m_value->setRange(0, double(kMaxRate / kKiB));
    m_value->setSpecialValueText(tr("unlimited"));
    m_value->setAccelerated(true);
    m_value->setKeyboardTracking(false);
    m_value->setGroupSeparatorShown(false);
    m_unit = new QComboBox(this);
    m_unit->addItem(tr("KiB/s"), kKiB);
    m_unit->addItem(tr("MiB/s"), kMiB);
    m_unit->addItem(tr("GiB/s"), kGiB);
    m_unit->setCurrentIndex(1);
    m_unit->setToolTip(tr("The unit the number is in; changing it converts the number and keeps the rate."));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_value, 1);
    layout->addWidget(m_unit);
    setFocusProxy(m_value);

    connect(m_value, &QDoubleSpinBox::valueChanged, this, [this](double value) {
        m_bytes = qBound<qint64>(0, std::llround(value * double(unitBytes())), kMaxRate);
        emit rateEdited(m_bytes);
    });
    connect(m_unit, &QComboBox::currentIndexChanged, this, [this]() { showValue(); });
    showValue();
}

qint64 RateEdit::unitBytes() const {
    return m_unit->currentData().toLongLong();
}

void RateEdit::showValue() {
    const QSignalBlocker block(m_value);
    m_value->setRange(0, double(kMaxRate) / double(unitBytes()));
    m_value->setSingleStep(unitBytes() == kKiB ? 16 : 1);
    m_value->setValue(double(m_bytes) / double(unitBytes()));
}

void RateEdit::setBytesPerSecond(qint64 rate) {
    rate = qBound<qint64>(0, rate, kMaxRate);
    // The rate the user just typed, coming back from the lab: the unit they chose stays.
    const bool same = rate == m_bytes;
    m_bytes = rate;
    const QSignalBlocker blockUnit(m_unit);
    if (m_bytes > 0 && !same) {
        // The largest unit that holds the rate as a whole number; KiB/s with decimals when none does.
        int unit = 0;
        for (int i = m_unit->count() - 1; i >= 0; --i) {
            if (m_bytes % m_unit->itemData(i).toLongLong() == 0) {
                unit = i;
                break;
            }
        }
        m_unit->setCurrentIndex(unit);
    }
    showValue();
}

double RateEdit::shownValue() const {
    return m_value->value();
}

QString RateEdit::unitText() const {
    return m_unit->currentText();
}

} // namespace swarmscope::ui
