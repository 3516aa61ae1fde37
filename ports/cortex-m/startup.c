/* Startup shared by every Cortex-M port: vector table, reset handler (.data
 * copy, .bss clear, FPU enable, stack guard, stack painting, static
 * constructors), fault handlers, semihosting exit and the few C/C++ runtime
 * hooks a heap-free image needs. Linked with -nostartfiles: nothing of
 * crt0/crti/crtbegin.
 *
 * Stack protection. sections.ld puts the stack at the bottom of RAM, below
 * .data and .bss, so an overflow never reaches the static data (the weights):
 *   - ARMv7-M with an MPU (M3, M4, M7): a no-access MPU region of
 *     STACK_GUARD_BYTES just below the stack faults on the first access past it;
 *   - ARMv8-M (M33, M55): MSPLIM = the stack's lowest address; the core faults
 *     (UsageFault STKOF) on the instruction that would move SP below it;
 *   - ARMv6-M (M0, no MPU, no limit register): the first access below the
 *     start of RAM faults (a bus error on unmapped memory).
 * Every fault ends in HardFault_Handler, which first moves SP back onto the
 * stack (an overflow leaves it pointing outside), then prints what happened
 * and exits with status 5 (stack overflow) or 3 (any other fault). */
#include "cortexm.h"
#include "port.h"

#ifndef CORTEXM_IRQ_COUNT
#define CORTEXM_IRQ_COUNT 32
#endif

#define STACK_PAINT 0xA5A5A5A5u

/* The MPU guard region below the stack (ARMv7-M): a power of two >= 32. Larger
 * catches frames that jump further past the stack's end; 1 KB stays clear of the
 * device registers some parts keep just below RAM (the STM32F1's unique ID at
 * 0x1FFFF7E8 is 2 KB below 0x20000000). */
#ifndef STACK_GUARD_BYTES
#define STACK_GUARD_BYTES 1024u
#endif

/* Bytes of stack the fault report needs: when the faulting SP leaves less than
 * this above the stack's end, the handler moves SP to the top of the stack. */
#define FAULT_STACK_RESERVE 256
#define CORTEXM_STRING(x) #x
#define CORTEXM_EXPAND_STRING(x) CORTEXM_STRING(x)

/* From sections.ld. */
extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_limit[], __stack_top[];
typedef void (*cortexm_function)(void);
extern cortexm_function __preinit_array_start[], __preinit_array_end[];
extern cortexm_function __init_array_start[], __init_array_end[];

int main(void);

void Reset_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);
void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler(void) __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SecureFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

struct cortexm_vector_table {
    uint32_t* initial_sp;
    cortexm_function exceptions[15];
    cortexm_function irqs[CORTEXM_IRQ_COUNT];
};

/* Every interrupt line goes to Default_Handler (a GNU range initializer). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
__attribute__((section(".isr_vector"), used))
const struct cortexm_vector_table cortexm_vectors = {
    __stack_top,
    {
        Reset_Handler, NMI_Handler, HardFault_Handler, MemManage_Handler, BusFault_Handler,
        UsageFault_Handler, SecureFault_Handler, 0, 0, 0, SVC_Handler, DebugMon_Handler, 0,
        PendSV_Handler, SysTick_Handler,
    },
    {[0 ... CORTEXM_IRQ_COUNT - 1] = Default_Handler},
};
#pragma GCC diagnostic pop

/* Makes a stack overflow fault before it leaves the stack (see the top of the file). */
static void cortexm_stack_guard_init(void)
{
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
    __asm volatile("msr msplim, %0" : : "r"(__stack_limit));
#elif defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__)
    if (((MPU_TYPE >> 8) & 0xFFu) == 0u) return; /* DREGION = 0: no MPU on this part */
    /* The largest power of two up to STACK_GUARD_BYTES that the stack's end is aligned to
     * (a PMSAv7 region is aligned to its size); the end of the stack is ORIGIN(RAM). */
    uint32_t limit = (uint32_t)__stack_limit;
    uint32_t size = STACK_GUARD_BYTES;
    while (size > 32u && (limit & (size - 1u)) != 0u) size >>= 1;
    if ((limit & (size - 1u)) != 0u) return;
    uint32_t size_field = 0; /* region size = 2^(SIZE + 1) */
    while ((2u << size_field) < size) ++size_field;
    MPU_RNR = 0;
    MPU_RBAR = limit - size;
    /* XN, AP = 000 (no access, privileged included), strongly ordered, enabled. */
    MPU_RASR = (1u << 28) | (size_field << 1) | 1u;
    /* PRIVDEFENA: the default memory map everywhere else; HFNMIENA clear: the HardFault
     * handler runs with the MPU off. */
    MPU_CTRL = (1u << 2) | 1u;
    __asm volatile("dsb\n\tisb" ::: "memory");
#endif
}

/* -O2 would turn these loops into memcpy/memset calls; keep them plain. */
__attribute__((optimize("no-tree-loop-distribute-patterns"), noreturn))
void Reset_Handler(void)
{
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    SCB_CPACR |= 0xFu << 20; /* CP10, CP11: full access */
    __asm volatile("dsb\n\tisb" ::: "memory");
#endif
#if !defined(__ARM_ARCH_6M__)
    SCB_VTOR = (uint32_t)&cortexm_vectors;
#endif
    cortexm_stack_guard_init();
    for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;) *dst++ = *src++;
    for (uint32_t* dst = __bss_start; dst < __bss_end;) *dst++ = 0;

    /* Paint the unused stack (up to a little below this frame) so
     * cortexm_stack_high_water() can find the deepest use later. */
    uint32_t* sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    for (volatile uint32_t* p = __stack_limit; p < sp - 16;) *p++ = STACK_PAINT;

    for (cortexm_function* f = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
    for (cortexm_function* f = __init_array_start; f < __init_array_end; ++f) (*f)();

    microprop_port_exit(main());
}

size_t cortexm_stack_high_water(void)
{
    const uint32_t* p = __stack_limit;
    while (p < __stack_top && *p == STACK_PAINT) ++p;
    return (size_t)((const char*)__stack_top - (const char*)p);
}

/* ---- Exit through semihosting ------------------------------------------------------- */

static volatile int cortexm_exiting;

void cortexm_exit(int code)
{
    cortexm_exiting = 1;
    /* SYS_EXIT_EXTENDED (0x20): r1 points at {ADP_Stopped_ApplicationExit, code}. */
    static volatile uint32_t block[2];
    block[0] = 0x20026u;
    block[1] = (uint32_t)code;
    register uint32_t r0 __asm("r0") = 0x20u;
    register volatile uint32_t* r1 __asm("r1") = block;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    for (;;) __asm volatile("wfi");
}

/* ---- microprop_port_exit: the same on every board ---------------------------------- */

static void write_text(const char* s);
static void write_unsigned(uint32_t v);

void microprop_port_exit(int code)
{
#if defined(CORTEXM_REPORT_STACK)
    write_text("stack_high_water=");
    write_unsigned((uint32_t)cortexm_stack_high_water());
    write_text("\n");
#endif
    cortexm_board_flush();
    cortexm_exit(code);
}

/* ---- Faults -------------------------------------------------------------------------- */

static void write_text(const char* s)
{
    size_t n = 0;
    while (s[n] != '\0') ++n;
    microprop_port_write(s, n);
}

static void write_hex(uint32_t v)
{
    char buf[11] = "0x";
    for (int i = 0; i < 8; ++i) buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xFu];
    buf[10] = '\0';
    write_text(buf);
}

static void write_unsigned(uint32_t v)
{
    char digits[11];
    int i = 10;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    write_text(digits + i);
}

static uint32_t current_exception(void)
{
    uint32_t ipsr;
    __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
    return ipsr & 0x1FFu;
}

#if !defined(__ARM_ARCH_6M__)
/* Configurable Fault Status Register bits (ARMv7-M B3.2.15, ARMv8-M D1.2.9). */
#define CFSR_IACCVIOL (1u << 0)
#define CFSR_DACCVIOL (1u << 1)
#define CFSR_MUNSTKERR (1u << 3)
#define CFSR_MSTKERR (1u << 4)
#define CFSR_MLSPERR (1u << 5)
#define CFSR_MMARVALID (1u << 7)
#define CFSR_PRECISERR (1u << 9)
#define CFSR_UNSTKERR (1u << 11)
#define CFSR_STKERR (1u << 12)
#define CFSR_LSPERR (1u << 13)
#define CFSR_BFARVALID (1u << 15)
#define CFSR_UNDEFINSTR (1u << 16)
#define CFSR_INVSTATE (1u << 17)
#define CFSR_STKOF (1u << 20)
#define CFSR_UNALIGNED (1u << 24)
#define CFSR_DIVBYZERO (1u << 25)
#define CFSR_MEMMANAGE 0x000000FFu
#define CFSR_BUSFAULT 0x0000FF00u

/* "MemManage, stacking at 0x..." : which fault the CFSR names and what it says about it. */
static void write_fault_cause(uint32_t cfsr)
{
    if (cfsr & CFSR_STKOF) {
        write_text("UsageFault, stack limit");
    } else if (cfsr & CFSR_MEMMANAGE) {
        write_text("MemManage");
        if (cfsr & (CFSR_MSTKERR | CFSR_MLSPERR)) write_text(", stacking");
        if (cfsr & CFSR_MUNSTKERR) write_text(", unstacking");
        if (cfsr & CFSR_DACCVIOL) write_text(", data access");
        if (cfsr & CFSR_IACCVIOL) write_text(", instruction fetch");
        if (cfsr & CFSR_MMARVALID) {
            write_text(" at ");
            write_hex(SCB_MMFAR);
        }
    } else if (cfsr & CFSR_BUSFAULT) {
        write_text("BusFault");
        if (cfsr & (CFSR_STKERR | CFSR_LSPERR)) write_text(", stacking");
        if (cfsr & CFSR_UNSTKERR) write_text(", unstacking");
        if (cfsr & CFSR_PRECISERR) write_text(", data access");
        if (cfsr & CFSR_BFARVALID) {
            write_text(" at ");
            write_hex(SCB_BFAR);
        }
    } else if (cfsr != 0u) {
        write_text("UsageFault");
        if (cfsr & CFSR_UNDEFINSTR) write_text(", undefined instruction");
        if (cfsr & CFSR_INVSTATE) write_text(", invalid state");
        if (cfsr & CFSR_UNALIGNED) write_text(", unaligned access");
        if (cfsr & CFSR_DIVBYZERO) write_text(", division by zero");
    } else {
        write_text("HardFault");
    }
}
#endif

/* Called by HardFault_Handler with the main stack pointer as the fault left it (the
 * exception frame is there when stacking succeeded). */
__attribute__((used, noreturn)) void cortexm_fault_report(const uint32_t* faulting_sp)
{
    if (cortexm_exiting) {
        /* The semihosting BKPT of cortexm_exit() with no debugger attached: park. */
        for (;;) __asm volatile("wfi");
    }
#if defined(__ARM_ARCH_6M__)
    const int stacking_failed = 0, limit_fault = 0; /* ARMv6-M reports neither */
#else
    const uint32_t cfsr = SCB_CFSR;
    const int stacking_failed = (cfsr & (CFSR_MSTKERR | CFSR_MLSPERR | CFSR_STKERR | CFSR_LSPERR)) != 0u;
    const int limit_fault = (cfsr & CFSR_STKOF) != 0u;
#endif
    /* SP below the stack's lowest address (or on it: a limit fault during stacking leaves
     * SP = MSPLIM), a failed stacking or an MSPLIM fault: the stack overflowed, whatever
     * fault the core reported for it. The frame is there only when stacking worked. */
    const int overflow = stacking_failed || limit_fault || faulting_sp <= (const uint32_t*)__stack_limit;
    const int frame_valid = !stacking_failed && faulting_sp > (const uint32_t*)__stack_limit &&
                            faulting_sp + 8 <= (const uint32_t*)__stack_top;
    write_text(overflow ? "\nfatal: stack overflow (" : "\nfatal: fault (");
#if defined(__ARM_ARCH_6M__)
    write_text("HardFault");
#else
    write_fault_cause(cfsr);
#endif
    write_text(") sp=");
    write_hex((uint32_t)faulting_sp);
    if (overflow) {
        write_text(", stack ");
        write_hex((uint32_t)__stack_limit);
        write_text("..");
        write_hex((uint32_t)__stack_top);
    }
    if (frame_valid) {
        write_text(" pc=");
        write_hex(faulting_sp[6]);
        write_text(" lr=");
        write_hex(faulting_sp[5]);
    }
#if !defined(__ARM_ARCH_6M__)
    write_text(" cfsr=");
    write_hex(cfsr);
    write_text(" hfsr=");
    write_hex(SCB_HFSR);
#endif
    write_text("\n");
    microprop_port_exit(overflow ? 5 : 3);
}

/* Naked: nothing may touch the stack before SP is known to be usable. When the fault
 * left SP outside the stack, or too close to its end for the report (an overflow;
 * after an MSPLIM fault SP sits exactly on the limit), SP moves to the top of the
 * stack: the program is ending, nothing there is needed any more. Otherwise SP stays,
 * so the exception frame above it can be read. No thread mode code here uses PSP. */
__attribute__((naked)) void HardFault_Handler(void)
{
    __asm volatile(
        "mrs r0, msp\n\t"
        "ldr r2, =__stack_limit + " CORTEXM_EXPAND_STRING(FAULT_STACK_RESERVE) "\n\t"
        "cmp r0, r2\n\t"
        "blo 1f\n\t"
        "ldr r2, =__stack_top\n\t"
        "cmp r0, r2\n\t"
        "bls 2f\n"
        "1:\n\t"
        "ldr r2, =__stack_top\n\t"
        "msr msp, r2\n"
        "2:\n\t"
        "ldr r2, =cortexm_fault_report\n\t"
        "bx r2\n\t"
        ".ltorg");
}

void Default_Handler(void)
{
    const uint32_t exception = current_exception();
    if (exception >= 16u && cortexm_irq_handler && cortexm_irq_handler(exception - 16u)) return;
    write_text("\nfatal: unexpected exception ");
    write_hex(exception);
    write_text("\n");
    microprop_port_exit(4);
}

/* ---- Runtime hooks: nothing here allocates ------------------------------------------ */

/* Normally defined by crtbegin.o, dropped by -nostartfiles. */
void* __dso_handle = 0;

/* Programs end through microprop_port_exit() and never run static destructors,
 * so registering them is a no-op (newlib's version may allocate). */
int __cxa_atexit(void (*destructor)(void*), void* object, void* dso)
{
    (void)destructor;
    (void)object;
    (void)dso;
    return 0;
}

int __aeabi_atexit(void* object, void (*destructor)(void*), void* dso)
{
    return __cxa_atexit(destructor, object, dso);
}

/* assert() failures: newlib's __assert_func formats with fiprintf (allocates). */
__attribute__((noreturn)) void __assert_func(const char* file, int line, const char* function,
                                             const char* expression)
{
    write_text("\nassertion failed: ");
    write_text(expression);
    write_text("\n  at ");
    write_text(file);
    write_text(":");
    write_unsigned(line > 0 ? (uint32_t)line : 0u);
    if (function) {
        write_text(" in ");
        write_text(function);
    }
    write_text("\n");
    microprop_port_exit(134);
}

__attribute__((noreturn)) void abort(void)
{
    write_text("\nfatal: abort()\n");
    microprop_port_exit(134);
}

__attribute__((noreturn)) void _exit(int code) { microprop_port_exit(code); }

__attribute__((noreturn)) void __cxa_pure_virtual(void)
{
    write_text("\nfatal: pure virtual call\n");
    microprop_port_exit(134);
}
