#include "shared/RateEdit.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QSpinBox>

namespace swarmscope::ui {

namespace {
constexpr qint64 kKiB = 1024;
constexpr qint64 kMiB = 1024 * 1024;
} // namespace

RateEdit::RateEdit(QWidget* parent) : QWidget(parent) {
    m_value = new QSpinBox(this);
    m_value->setRange(0, 1023 * 1024);
    m_value->setSpecialValueText(tr("unlimited"));
    m_value->setAccelerated(true);
    m_value->setKeyboardTracking(false);
    m_unit = new QComboBox(this);
    m_unit->addItem(tr("KiB/s"), kKiB);
    m_unit->addItem(tr("MiB/s"), kMiB);
    m_unit->setCurrentIndex(1);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_value, 1);
    layout->addWidget(m_unit);
    setFocusProxy(m_value);

    connect(m_value, &QSpinBox::valueChanged, this, [this]() { emit rateEdited(bytesPerSecond()); });
    connect(m_unit, &QComboBox::currentIndexChanged, this, [this]() {
        if (m_value->value() != 0)
            emit rateEdited(bytesPerSecond());
    });
}

qint64 RateEdit::bytesPerSecond() const {
    return qint64(m_value->value()) * m_unit->currentData().toLongLong();
}

void RateEdit::setBytesPerSecond(qint64 rate) {
    const QSignalBlocker blockValue(m_value);
    const QSignalBlocker blockUnit(m_unit);
    if (rate > 0 && rate % kMiB == 0) {
        m_unit->setCurrentIndex(1);
        m_value->setValue(int(qMin<qint64>(rate / kMiB, m_value->maximum())));
    } else {
        m_unit->setCurrentIndex(rate == 0 ? m_unit->currentIndex() : 0);
        m_value->setValue(int(qMin<qint64>((rate + kKiB - 1) / kKiB, m_value->maximum())));
    }
}

} // namespace swarmscope::ui
