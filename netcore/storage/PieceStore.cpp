#include "storage/PieceStore.h"

namespace swarmscope {

// Out of line, so the vtable has one home.
PieceStore::~PieceStore() = default;

} // namespace swarmscope
