/* A power cut on demand, for tests of code that must survive one: a one-shot
 * hardware timer whose interrupt resets the whole chip (AIRCR SYSRESETREQ),
 * so the program stops between two instructions wherever it was, as it
 * would when the supply fails. Implemented on the micro:bit with the
 * nRF51's TIMER1 (power_cut_nrf5.c) and on the MPS2 boards with the CMSDK
 * APB TIMER0 (power_cut_cmsdk.c). See ports/flash/README.md. */
#ifndef MICROPROP_FLASH_POWER_CUT_H
#define MICROPROP_FLASH_POWER_CUT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Resets the chip after `ticks` ticks of the port's counter
 * (microprop_port_counter_hz() per second; under QEMU -icount about one
 * instruction each); delays below a few ticks are raised to the smallest
 * the timer can catch (256 on the nRF51). A new call re-arms. Takes over the
 * timer's interrupt line through cortexm_irq_handler(). */
void microprop_power_cut_arm(uint32_t ticks);

/* Stops an armed timer; nothing happens if none is armed. */
void microprop_power_cut_disarm(void);

/* Resets the chip now (AIRCR SYSRESETREQ). */
#if defined(__cplusplus)
[[noreturn]]
#else
_Noreturn
#endif
void microprop_power_cut_now(void);

#ifdef __cplusplus
}
#endif

#endif
