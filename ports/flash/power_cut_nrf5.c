/* power_cut.h on Nordic parts: TIMER1 (TIMER0 is the port's counter, see
 * ports/cortex-m/nrf5.c) counts the 16 MHz clock in 16-bit mode (the widest
 * TIMER1 has on the nRF51); longer delays use the smallest prescaler that
 * fits, so they lose resolution (2^p ticks). */
#include "power_cut.h"

#include "cortexm.h"

#define TIMER1_BASE 0x40009000u
#define TIMER1_REG(offset) CORTEXM_REG(TIMER1_BASE + (offset))
#define TIMER1_TASKS_START TIMER1_REG(0x000u)
#define TIMER1_TASKS_STOP TIMER1_REG(0x004u)
#define TIMER1_TASKS_CLEAR TIMER1_REG(0x00Cu)
#define TIMER1_EVENTS_COMPARE0 TIMER1_REG(0x140u)
#define TIMER1_INTENSET TIMER1_REG(0x304u)
#define TIMER1_INTENCLR TIMER1_REG(0x308u)
#define TIMER1_MODE TIMER1_REG(0x504u)
#define TIMER1_BITMODE TIMER1_REG(0x508u)
#define TIMER1_PRESCALER TIMER1_REG(0x510u)
#define TIMER1_CC0 TIMER1_REG(0x540u)
#define TIMER1_INTEN_COMPARE0 (1u << 16)
#define TIMER1_BITMODE_16 0u
#define TIMER1_IRQ 9u

void microprop_power_cut_now(void) { cortexm_system_reset(); }

int cortexm_irq_handler(uint32_t irq)
{
    if (irq != TIMER1_IRQ) return 0;
    microprop_power_cut_now();
}

void microprop_power_cut_disarm(void)
{
    TIMER1_TASKS_STOP = 1u;
    TIMER1_INTENCLR = TIMER1_INTEN_COMPARE0;
    NVIC_ICER = 1u << TIMER1_IRQ;
    TIMER1_EVENTS_COMPARE0 = 0u;
    NVIC_ICPR = 1u << TIMER1_IRQ;
}

void microprop_power_cut_arm(uint32_t ticks)
{
    microprop_power_cut_disarm();
    uint32_t prescaler = 0u;
    while (prescaler < 9u && (ticks >> prescaler) > 0xFFFFu) ++prescaler;
    uint32_t count = ticks >> prescaler;
    if (count > 0xFFFFu) count = 0xFFFFu;
    if (count == 0u) count = 1u;
    TIMER1_MODE = 0u;
    TIMER1_BITMODE = TIMER1_BITMODE_16;
    TIMER1_PRESCALER = prescaler;
    TIMER1_TASKS_CLEAR = 1u;
    TIMER1_CC0 = count;
    TIMER1_INTENSET = TIMER1_INTEN_COMPARE0;
    NVIC_ISER = 1u << TIMER1_IRQ;
    TIMER1_TASKS_START = 1u;
}
