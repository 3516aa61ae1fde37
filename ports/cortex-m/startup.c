/* Startup shared by every Cortex-M port: vector table, reset handler (.data
 * copy, .bss clear, FPU enable, stack painting, static constructors), fault
 * handlers, semihosting exit and the few C/C++ runtime hooks a heap-free
 * image needs. Linked with -nostartfiles: nothing of crt0/crti/crtbegin. */
#include "cortexm.h"
#include "port.h"

#ifndef CORTEXM_IRQ_COUNT
#define CORTEXM_IRQ_COUNT 32
#endif

#define STACK_PAINT 0xA5A5A5A5u

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
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
    /* Stack overflow faults instead of silently running into .bss. */
    __asm volatile("msr msplim, %0" : : "r"(__stack_limit));
#endif
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

/* The lowest words of the stack region: if they lost their paint, the stack
 * reached the end of .bss (on cores without MSPLIM nothing else notices). */
#define STACK_GUARD_WORDS 8u

void microprop_port_exit(int code)
{
    for (uint32_t i = 0; i < STACK_GUARD_WORDS; ++i) {
        if (__stack_limit[i] != STACK_PAINT) {
            write_text("\nfatal: stack overflow: the stack ran into static data\n");
            if (code == 0) code = 5;
            break;
        }
    }
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

/* Called by HardFault_Handler with the stacked exception frame. */
__attribute__((used, noreturn)) void cortexm_fault_report(const uint32_t* frame)
{
    if (cortexm_exiting) {
        /* The semihosting BKPT of cortexm_exit() with no debugger attached: park. */
        for (;;) __asm volatile("wfi");
    }
    write_text("\nfatal: HardFault at pc=");
    write_hex(frame[6]);
    write_text(" lr=");
    write_hex(frame[5]);
#if !defined(__ARM_ARCH_6M__)
    write_text(" cfsr=");
    write_hex(SCB_CFSR);
    write_text(" hfsr=");
    write_hex(SCB_HFSR);
#endif
    write_text("\n");
    microprop_port_exit(3);
}

/* The frame is on the main stack: no thread mode code here uses PSP. */
__attribute__((naked)) void HardFault_Handler(void)
{
    __asm volatile(
        "mrs r0, msp\n\t"
        "ldr r1, =cortexm_fault_report\n\t"
        "bx r1\n\t"
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
