#include "shared/SizeFormat.h"

#include <QLocale>

namespace swarmscope::ui {

QString formatSize(qint64 bytes) {
    return QLocale::system().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat);
}

} // namespace swarmscope::ui
