/* A free-running 32-bit counter from SysTick (CLKSOURCE = core clock): the
 * 24-bit down-counter gives the low bits, an interrupt on every wrap the
 * high bits. Under QEMU -icount the core clock advances with the executed
 * instructions, so the count is exact and repeatable. */
#include "cortexm.h"

#define SYST_RELOAD 0x00FFFFFFu
static volatile uint32_t systick_wraps;

void SysTick_Handler(void) { ++systick_wraps; }

void cortexm_systick_start(void)
{
    SYST_CSR = 0;
    SYST_RVR = SYST_RELOAD;
    SYST_CVR = 0;
    SYST_CSR = 0x7u; /* ENABLE | TICKINT | CLKSOURCE=processor clock */
}

uint32_t cortexm_systick_count(void)
{
    uint32_t wraps, value, pending;
    do {
        wraps = systick_wraps;
        value = SYST_CVR;
        pending = SCB_ICSR & SCB_ICSR_PENDSTSET;
    } while (wraps != systick_wraps);
    /* A wrap whose interrupt has not run yet: the low bits already restarted. */
    if (pending && value > SYST_RELOAD / 2u) ++wraps;
    return (wraps << 24) | (SYST_RELOAD - value);
}
