// The Linux riscv_hwprobe(2) interface (kernel 6.4+), spelled out here because the Debian 12
// cross sysroot ships 6.1 headers without <asm/hwprobe.h>. These numbers are kernel ABI and
// never change; when the real header is present the static_asserts below prove they agree.
#pragma once

#include <cstdint>

namespace sy::platform::detail::hwprobe {

constexpr long kSyscall = 258;  // __NR_riscv_hwprobe (arch-specific syscall base 244 + 14)

struct Pair {       // struct riscv_hwprobe
    int64_t key;    // in: a key below; out: -1 when the kernel does not know the key
    uint64_t value;
};

constexpr int64_t kKeyMvendorid = 0;
constexpr int64_t kKeyMarchid = 1;
constexpr int64_t kKeyMimpid = 2;
constexpr int64_t kKeyImaExt0 = 4;  // bitmask of extensions beyond the IMA base

constexpr uint64_t kImaV = 1ull << 2;
constexpr uint64_t kExtZba = 1ull << 3;
constexpr uint64_t kExtZbb = 1ull << 4;
constexpr uint64_t kExtZfh = 1ull << 27;
constexpr uint64_t kExtZvfh = 1ull << 30;

}  // namespace sy::platform::detail::hwprobe

#if __has_include(<asm/hwprobe.h>)
#include <asm/hwprobe.h>
static_assert(sy::platform::detail::hwprobe::kKeyImaExt0 == RISCV_HWPROBE_KEY_IMA_EXT_0);
static_assert(sy::platform::detail::hwprobe::kImaV == RISCV_HWPROBE_IMA_V);
static_assert(sy::platform::detail::hwprobe::kExtZba == RISCV_HWPROBE_EXT_ZBA);
static_assert(sy::platform::detail::hwprobe::kExtZbb == RISCV_HWPROBE_EXT_ZBB);
#ifdef RISCV_HWPROBE_EXT_ZVFH
static_assert(sy::platform::detail::hwprobe::kExtZfh == RISCV_HWPROBE_EXT_ZFH);
static_assert(sy::platform::detail::hwprobe::kExtZvfh == RISCV_HWPROBE_EXT_ZVFH);
#endif
#endif
