#pragma once

#include <QString>

namespace swarmscope::ui {

// 1536 -> "1.5 KiB"
QString formatSize(qint64 bytes);
// Lab time as m:ss (h:mm:ss past an hour) with `decimals` digits of the second (0 to 3): 83456, 1 -> "1:23.4"
QString formatLabTime(qint64 ms, int decimals);

} // namespace swarmscope::ui
