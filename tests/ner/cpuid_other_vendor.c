// LD_PRELOAD library for tests: the process's CPUID answers as a CPU of the other vendor would.
//
// On an Intel CPU it says AuthenticAMD, family 0x19 model 0x11 (EPYC Zen 4), without Intel-only extensions (AMX,
// AVX-VNNI, AVX512-FP16) and without Intel's cache leaves; on an AMD CPU it says GenuineIntel, family 6 model 0x8F
// (Xeon Sapphire Rapids). Everything else is the real CPU's answer. It works by CPUID faulting
// (arch_prctl ARCH_SET_CPUID, Linux 4.12 and a CPU that supports it): every CPUID instruction then raises SIGSEGV,
// and the handler answers it. Threads created later inherit the setting. Exits with status 77 where faulting is
// unavailable, so the test can skip.
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static const uint32_t AMD[3] = {0x68747541, 0x69746e65, 0x444d4163};    // "Auth" "enti" "cAMD" (ebx, edx, ecx)
static const uint32_t INTEL[3] = {0x756e6547, 0x49656e69, 0x6c65746e};  // "Genu" "ineI" "ntel"
static int real_is_intel;

static void cpuid_enabled(int on) { syscall(SYS_arch_prctl, ARCH_SET_CPUID, on); }

static void real_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    cpuid_enabled(1);
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
    cpuid_enabled(0);
}

static void answer(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    real_cpuid(leaf, sub, r);
    const uint32_t *vendor = real_is_intel ? AMD : INTEL;
    if (leaf == 0 || (leaf == 0x80000000 && real_is_intel)) {
        r[1] = vendor[0]; r[3] = vendor[1]; r[2] = vendor[2];
    } else if (leaf == 1) {
        r[0] = real_is_intel ? 0x00A10F11 : 0x000806F8;
    } else if (real_is_intel && (leaf == 2 || leaf == 4)) {
        r[0] = r[1] = r[2] = r[3] = 0;  // Intel's cache descriptors: reserved on AMD
    } else if (real_is_intel && leaf == 7 && sub == 0) {
        r[3] &= ~((1u << 22) | (1u << 23) | (1u << 24) | (1u << 25));  // AMX-BF16, AVX512-FP16, AMX-TILE, AMX-INT8
    } else if (real_is_intel && leaf == 7 && sub == 1) {
        r[0] &= ~((1u << 4) | (1u << 21));  // AVX-VNNI, AMX-FP16
    }
}

static void on_segv(int sig, siginfo_t *info, void *context) {
    (void)sig; (void)info;
    greg_t *regs = ((ucontext_t *)context)->uc_mcontext.gregs;
    const unsigned char *ip = (const unsigned char *)regs[REG_RIP];
    if (ip[0] == 0x0f && ip[1] == 0xa2) {  // CPUID
        uint32_t r[4];
        answer((uint32_t)regs[REG_RAX], (uint32_t)regs[REG_RCX], r);
        regs[REG_RAX] = r[0]; regs[REG_RBX] = r[1]; regs[REG_RCX] = r[2]; regs[REG_RDX] = r[3];
        regs[REG_RIP] += 2;
        return;
    }
    signal(SIGSEGV, SIG_DFL);  // a real fault: let it happen again, unhandled
}

__attribute__((constructor)) static void start(void) {
    uint32_t r[4];
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(0), "c"(0));
    real_is_intel = r[1] == INTEL[0] && r[3] == INTEL[1] && r[2] == INTEL[2];
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_segv;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &action, NULL);
    if (syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0) != 0) _exit(77);
    setenv("CPUID_OTHER_VENDOR", real_is_intel ? "AuthenticAMD" : "GenuineIntel", 1);
}
