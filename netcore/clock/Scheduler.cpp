#include "clock/Scheduler.h"

namespace swarmscope {

// Out of line, so the vtable has one home.
Scheduler::~Scheduler() = default;

} // namespace swarmscope
