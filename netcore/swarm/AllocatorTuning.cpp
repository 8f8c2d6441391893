#include "swarm/AllocatorTuning.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace swarmscope {

void tuneAllocatorForLab() {
#if defined(__GLIBC__)
    // Setting it at all turns off glibc's dynamic adjustment; the value is glibc's own default start.
    ::mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

} // namespace swarmscope
