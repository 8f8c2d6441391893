#pragma once

#include <QString>

namespace swarmscope::ui {

// 1536 -> "1.5 KiB"
QString formatSize(qint64 bytes);

} // namespace swarmscope::ui
