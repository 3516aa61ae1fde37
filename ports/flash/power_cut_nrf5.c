/* power_cut.h on the nRF51: TIMER1 at 16 MHz, the rate of the port's
 * TIMER0 counter (ports/cortex-m/nrf5.c), so a delay in counter ticks is
 * exact. TIMER1 is at most 16 bits wide on the nRF51, so a longer delay runs
 * as a chain of compare intervals of at most 0xFFFF ticks: the COMPARE0_CLEAR
 * short restarts the count from 0 at each compare, the interrupt loads the
 * next interval and, after the last, resets the chip. Each interval is kept
 * at least min_interval_ticks long so that the interrupt has written the new
 * compare value before the count reaches it.
 *
 * (Compare channels of the 32-bit TIMER0 would avoid the chain, but QEMU
 * 7.2's model of 32-bit mode raises a compare event whenever a channel equals
 * the count, e.g. right after a capture, so it cannot time a cut.) */
#include "power_cut.h"

#include "cortexm.h"

#define TIMER1_BASE 0x40009000u
#define TIMER1_REG(offset) CORTEXM_REG(TIMER1_BASE + (offset))
#define TIMER1_TASKS_START TIMER1_REG(0x000u)
#define TIMER1_TASKS_STOP TIMER1_REG(0x004u)
#define TIMER1_TASKS_CLEAR TIMER1_REG(0x00Cu)
#define TIMER1_EVENTS_COMPARE0 TIMER1_REG(0x140u)
#define TIMER1_SHORTS TIMER1_REG(0x200u)
#define TIMER1_INTENSET TIMER1_REG(0x304u)
#define TIMER1_INTENCLR TIMER1_REG(0x308u)
#define TIMER1_MODE TIMER1_REG(0x504u)
#define TIMER1_BITMODE TIMER1_REG(0x508u)
#define TIMER1_PRESCALER TIMER1_REG(0x510u)
#define TIMER1_CC0 TIMER1_REG(0x540u)
#define TIMER1_SHORTS_COMPARE0_CLEAR (1u << 0)
#define TIMER1_INTEN_COMPARE0 (1u << 16)
#define TIMER1_BITMODE_16 0u
#define TIMER1_IRQ 9u

#define MAX_INTERVAL_TICKS 0xFFFFu
#define MIN_INTERVAL_TICKS 256u

static volatile uint32_t ticks_after_this_interval;

/* The next interval of a remaining delay, never shorter than the minimum,
 * nor leaving a shorter one behind it. */
static uint32_t next_interval(uint32_t remaining)
{
    if (remaining <= MAX_INTERVAL_TICKS) return remaining;
    if (remaining - MAX_INTERVAL_TICKS < MIN_INTERVAL_TICKS) return remaining / 2u;
    return MAX_INTERVAL_TICKS;
}

void microprop_power_cut_now(void) { cortexm_system_reset(); }

int cortexm_irq_handler(uint32_t irq)
{
    if (irq != TIMER1_IRQ) return 0;
    TIMER1_EVENTS_COMPARE0 = 0u;
    const uint32_t remaining = ticks_after_this_interval;
    if (remaining == 0u) microprop_power_cut_now();
    const uint32_t interval = next_interval(remaining);
    ticks_after_this_interval = remaining - interval;
    TIMER1_CC0 = interval;
    /* The event register write must land before the interrupt returns, or
     * the still-set event re-raises the interrupt at once. */
    (void)TIMER1_EVENTS_COMPARE0;
    return 1;
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
    if (ticks < MIN_INTERVAL_TICKS) ticks = MIN_INTERVAL_TICKS;
    const uint32_t interval = next_interval(ticks);
    ticks_after_this_interval = ticks - interval;
    TIMER1_MODE = 0u;
    TIMER1_BITMODE = TIMER1_BITMODE_16;
    TIMER1_PRESCALER = 0u;
    TIMER1_SHORTS = TIMER1_SHORTS_COMPARE0_CLEAR;
    TIMER1_TASKS_CLEAR = 1u;
    TIMER1_CC0 = interval;
    TIMER1_INTENSET = TIMER1_INTEN_COMPARE0;
    NVIC_ISER = 1u << TIMER1_IRQ;
    TIMER1_TASKS_START = 1u;
}
