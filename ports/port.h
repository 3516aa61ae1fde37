/* The whole interface between a microprop program and a board.
 *
 * Programs (tests, examples, benchmarks, your firmware) talk to the board only
 * through these five functions, so the same sources run on the host and on
 * every Cortex-M port; the library under include/ never includes this header.
 *
 * What a board's own code defines: on a Cortex-M board built with
 * microprop_add_cortex_m_board() (ports/cortex-m/board.cmake), the shared
 * startup (ports/cortex-m/startup.c) already defines microprop_port_exit();
 * the board defines the other four plus cortexm_board_flush() from
 * ports/cortex-m/cortexm.h, which microprop_port_exit() calls before it ends
 * the program. A host port defines all five. ports/README.md is the guide. */
#ifndef MICROPROP_PORT_H
#define MICROPROP_PORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bring up clocks, the console and the counter. Called once, first. */
void microprop_port_init(void);

/* Write n bytes of text to the console (UART, semihosting or stdout). */
void microprop_port_write(const char* text, size_t n);

/* A free-running 32-bit counter: core cycles on silicon (DWT->CYCCNT), a
 * deterministic instruction-derived tick under QEMU -icount, nanoseconds on
 * the host. microprop_port_counter_hz() says how many ticks make a second. */
uint32_t microprop_port_counter(void);
uint32_t microprop_port_counter_hz(void);

/* End the program with an exit status (0 = success). Never returns. */
#if defined(__cplusplus)
[[noreturn]]
#else
_Noreturn
#endif
void microprop_port_exit(int code);

#ifdef __cplusplus
}
#endif

#endif
