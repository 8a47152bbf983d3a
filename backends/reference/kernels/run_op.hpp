// Runs one op with the reference kernels on buffers kept in a sy::sdk::HostBufferSet: the
// whole of sy_device_vtbl.run for any device whose memory the plugin can address (the CPU
// device here, and the test device with separate memory in backends/testdev), on the device's
// thread pool.
#pragma once

#include "switchyard/plugin_abi.h"
#include "switchyard/sdk/host_buffers.hpp"
#include "thread_pool.hpp"

namespace sy::refops {

// Checks supports_op (else Failure UNSUPPORTED), that every buffer belongs to `buffers`
// (INVALID_ARGUMENT) and every view, block types included, lies within its buffer
// (OUT_OF_RANGE), then computes. Data-dependent errors (a GET_ROWS or MUL_MAT_ID index out of
// range) are INVALID_ARGUMENT, reported before dst is written.
void run_op(const sdk::HostBufferSet& buffers, ThreadPool& pool, const sy_op& op);

}  // namespace sy::refops
