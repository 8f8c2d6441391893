#pragma once

namespace swarmscope {

// Every block of every transfer in a lab passes through short-lived buffers of 16 KiB to about 1 MiB on
// several threads. glibc serves the first large ones with mmap and returns them on free, but then raises its
// threshold to the largest size freed, so from there on they come from the heap, whose freed pages it keeps:
// resident memory ratchets up to the most that was ever in flight at once. Fixing the threshold at glibc's
// initial 128 KiB keeps large buffers going back to the system (1 seeder + 299 leechers of 8 MiB: about
// 1.8 MiB instead of 2.1 MiB resident per peer at peak). Called once when a lab starts; a no-op elsewhere.
void tuneAllocatorForLab();

} // namespace swarmscope
