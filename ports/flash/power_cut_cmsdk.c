/* power_cut.h on the MPS2 boards: CMSDK APB TIMER0 (interrupt line 8) counts
 * the system clock down from RELOAD and interrupts at zero. SysTick, the
 * port's counter, runs on the same clock, so ticks mean the same. */
#include "power_cut.h"

#include "cortexm.h"

#define TIMER0_BASE 0x40000000u
#define TIMER0_CTRL CORTEXM_REG(TIMER0_BASE + 0x00u)
#define TIMER0_VALUE CORTEXM_REG(TIMER0_BASE + 0x04u)
#define TIMER0_RELOAD CORTEXM_REG(TIMER0_BASE + 0x08u)
#define TIMER0_INTCLEAR CORTEXM_REG(TIMER0_BASE + 0x0Cu)
#define TIMER0_CTRL_ENABLE (1u << 0)
#define TIMER0_CTRL_IRQ_ENABLE (1u << 3)
#define TIMER0_IRQ 8u

void microprop_power_cut_now(void) { cortexm_system_reset(); }

int cortexm_irq_handler(uint32_t irq)
{
    if (irq != TIMER0_IRQ) return 0;
    microprop_power_cut_now();
}

void microprop_power_cut_disarm(void)
{
    TIMER0_CTRL = 0u;
    TIMER0_INTCLEAR = 1u;
    NVIC_ICER = 1u << TIMER0_IRQ;
    NVIC_ICPR = 1u << TIMER0_IRQ;
}

void microprop_power_cut_arm(uint32_t ticks)
{
    microprop_power_cut_disarm();
    TIMER0_VALUE = ticks == 0u ? 1u : ticks;
    TIMER0_RELOAD = ticks == 0u ? 1u : ticks;
    NVIC_ISER = 1u << TIMER0_IRQ;
    TIMER0_CTRL = TIMER0_CTRL_ENABLE | TIMER0_CTRL_IRQ_ENABLE;
}
