// Measures how fast this machine streams memory into the cores: the roofline of decode, where
// every token reads every weight once.
#pragma once

#include <cstddef>

#include "engine/kernels/thread_pool.h"

namespace engine::kernels {

// Read bandwidth in GB/s (1e9 bytes per second) with all of the pool's threads reading disjoint
// parts of a buffer of about `bytes` (far larger than the caches): the best of `repeats` passes,
// each timed in windows of 24 MiB per thread.
double measure_read_bandwidth(ThreadPool& pool, size_t bytes = size_t{512} << 20, int repeats = 5);

}  // namespace engine::kernels
