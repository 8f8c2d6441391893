#include "sim/Clock.h"

namespace swarmscope {

// Out of line, so the vtable has one home.
Clock::~Clock() = default;

} // namespace swarmscope
