// Runs one op with the reference kernels on buffers kept in a sy::sdk::HostBufferSet: the
// whole of sy_device_vtbl.run for any device whose memory the plugin can address (the CPU
// device here, and the test device with separate memory in backends/testdev).
#pragma once

#include "switchyard/plugin_abi.h"
#include "switchyard/sdk/host_buffers.hpp"

namespace sy::refops {

// Checks supports_op (else Failure UNSUPPORTED), that every buffer belongs to `buffers`
// (INVALID_ARGUMENT) and every view lies within its buffer (OUT_OF_RANGE), then computes.
void run_op(const sdk::HostBufferSet& buffers, const sy_op& op);

}  // namespace sy::refops
