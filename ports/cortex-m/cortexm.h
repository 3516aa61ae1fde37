/* Shared Cortex-M support for the board ports: core registers, semihosting
 * exit, the stack high-water mark. Board files include this; programs never
 * do (they see only ports/port.h). */
#ifndef MICROPROP_CORTEXM_H
#define MICROPROP_CORTEXM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CORTEXM_REG(addr) (*(volatile uint32_t*)(addr))

/* System Control Space (ARMv6-M/v7-M/v8-M Architecture Reference Manuals, B3). */
#define SCB_ICSR CORTEXM_REG(0xE000ED04u)
#define SCB_VTOR CORTEXM_REG(0xE000ED08u)
#define SCB_AIRCR CORTEXM_REG(0xE000ED0Cu)
#define SCB_AIRCR_SYSRESETREQ 0x05FA0004u /* VECTKEY + SYSRESETREQ */
#define SCB_SHCSR CORTEXM_REG(0xE000ED24u)
#define SCB_CFSR CORTEXM_REG(0xE000ED28u)
#define SCB_HFSR CORTEXM_REG(0xE000ED2Cu)
#define SCB_MMFAR CORTEXM_REG(0xE000ED34u)
#define SCB_BFAR CORTEXM_REG(0xE000ED38u)
#define SCB_CPACR CORTEXM_REG(0xE000ED88u)
#define SCB_ICSR_PENDSTSET (1u << 26)

#define NVIC_ISER CORTEXM_REG(0xE000E100u)
#define NVIC_ICER CORTEXM_REG(0xE000E180u)
#define NVIC_ICPR CORTEXM_REG(0xE000E280u)

/* PMSAv7 MPU (ARMv7-M Architecture Reference Manual, B3.5). */
#define MPU_TYPE CORTEXM_REG(0xE000ED90u)
#define MPU_CTRL CORTEXM_REG(0xE000ED94u)
#define MPU_RNR CORTEXM_REG(0xE000ED98u)
#define MPU_RBAR CORTEXM_REG(0xE000ED9Cu)
#define MPU_RASR CORTEXM_REG(0xE000EDA0u)

#define SYST_CSR CORTEXM_REG(0xE000E010u)
#define SYST_RVR CORTEXM_REG(0xE000E014u)
#define SYST_CVR CORTEXM_REG(0xE000E018u)

#define DEMCR CORTEXM_REG(0xE000EDFCu)
#define DWT_CTRL CORTEXM_REG(0xE0001000u)
#define DWT_CYCCNT CORTEXM_REG(0xE0001004u)
#define DWT_LAR CORTEXM_REG(0xE0001FB0u)

/* Ends the program: semihosting SYS_EXIT_EXTENDED with
 * {ADP_Stopped_ApplicationExit, code}, which QEMU (-semihosting-config
 * enable=on) turns into its own exit status. Without a debugger or emulator
 * the BKPT escalates to HardFault, whose handler then parks the core. */
#if defined(__cplusplus)
[[noreturn]]
#else
_Noreturn
#endif
void cortexm_exit(int code);

/* Implemented by each board: wait until the console has sent everything
 * (microprop_port_exit(), shared in startup.c, calls it before exiting). */
void cortexm_board_flush(void);

/* Interrupts a program enables itself: every interrupt line's vector is the
 * shared Default_Handler, which calls this (when an image defines it) with
 * the line number and reports an unexpected exception unless it returns
 * nonzero. Weak, so images without interrupts need nothing. */
int cortexm_irq_handler(uint32_t irq) __attribute__((weak));

/* Resets the whole chip (AIRCR SYSRESETREQ) as the reset pin would. */
#if defined(__cplusplus)
[[noreturn]]
#else
_Noreturn
#endif
static inline void cortexm_system_reset(void)
{
    __asm volatile("dsb" ::: "memory");
    SCB_AIRCR = SCB_AIRCR_SYSRESETREQ;
    __asm volatile("dsb" ::: "memory");
    for (;;) {
    }
}

/* Bytes of stack ever used since reset: the stack is painted at reset and
 * this finds the deepest overwritten word. */
size_t cortexm_stack_high_water(void);

/* Start a free-running 32-bit count of the SysTick clock (core clock):
 * SysTick's 24-bit down-counter plus an interrupt counting its wraps. */
void cortexm_systick_start(void);
uint32_t cortexm_systick_count(void);

/* DWT cycle counter (ARMv7-M and later, on silicon; QEMU 7.2 reads 0). */
static inline void cortexm_dwt_start(void)
{
    DEMCR |= 1u << 24;        /* TRCENA */
    DWT_LAR = 0xC5ACCE55u;    /* unlock where a lock exists (Cortex-M7) */
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u;           /* CYCCNTENA */
}

static inline uint32_t cortexm_dwt_count(void) { return DWT_CYCCNT; }

#ifdef __cplusplus
}
#endif

#endif
