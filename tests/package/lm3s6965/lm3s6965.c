/* Texas Instruments (Luminary Micro) Stellaris LM3S6965, as on the LM3S6965EVB and in
 * qemu-system-arm -M lm3s6965evb. Console: UART0 (TX on PA1), 115200 8N1. Counter:
 * SysTick on the core clock (the shared systick.c). The program ends through the shared
 * microprop_port_exit() (startup.c), which calls cortexm_board_flush() first. */
#include "cortexm.h"
#include "port.h"

/* Core clock: QEMU's model derives it from the reset value of RCC (200 MHz PLL / 16 =
 * 12.5 MHz). The silicon comes out of reset on its oscillator instead (the EVB's 8 MHz
 * crystal): a port for the real board sets the PLL here and names its clock. */
#define LM3S_CORE_HZ 12500000u
#define LM3S_BAUD 115200u

/* System control: run-mode clock gating (LM3S6965 datasheet, "System Control"). */
#define SYSCTL_RCGC1 CORTEXM_REG(0x400FE104u)
#define SYSCTL_RCGC2 CORTEXM_REG(0x400FE108u)
#define SYSCTL_RCGC1_UART0 (1u << 0)
#define SYSCTL_RCGC2_GPIOA (1u << 0)

/* GPIO port A: PA0/PA1 to their alternate function, UART0 RX/TX. */
#define GPIOA_AFSEL CORTEXM_REG(0x40004420u)
#define GPIOA_DEN CORTEXM_REG(0x4000451Cu)
#define GPIOA_UART0_PINS 0x3u

/* UART0: a PL011 (data at 0, flags at 0x18). */
#define UART0_DR CORTEXM_REG(0x4000C000u)
#define UART0_FR CORTEXM_REG(0x4000C018u)
#define UART0_IBRD CORTEXM_REG(0x4000C024u)
#define UART0_FBRD CORTEXM_REG(0x4000C028u)
#define UART0_LCRH CORTEXM_REG(0x4000C02Cu)
#define UART0_CTL CORTEXM_REG(0x4000C030u)
#define UART_FR_BUSY (1u << 3)
#define UART_FR_TXFF (1u << 5)
#define UART_LCRH_FEN (1u << 4)
#define UART_LCRH_WLEN_8 (3u << 5)
#define UART_CTL_UARTEN (1u << 0)
#define UART_CTL_TXE (1u << 8)

/* QEMU's model transmits from reset without any of this; the silicon needs the clock gates
 * opened, the pins switched to UART0 and the UART configured. */
void microprop_port_init(void)
{
    SYSCTL_RCGC1 |= SYSCTL_RCGC1_UART0;
    SYSCTL_RCGC2 |= SYSCTL_RCGC2_GPIOA;
    (void)SYSCTL_RCGC2; /* a few cycles before the gated peripherals may be touched */
    GPIOA_AFSEL |= GPIOA_UART0_PINS;
    GPIOA_DEN |= GPIOA_UART0_PINS;

    /* Divisor = clock / (16 * baud) as 16.6 fixed point, rounded. */
    const uint32_t divisor_64ths = (8u * LM3S_CORE_HZ / LM3S_BAUD + 1u) / 2u;
    UART0_CTL = 0;
    UART0_IBRD = divisor_64ths / 64u;
    UART0_FBRD = divisor_64ths % 64u;
    UART0_LCRH = UART_LCRH_WLEN_8 | UART_LCRH_FEN;
    UART0_CTL = UART_CTL_UARTEN | UART_CTL_TXE;

    cortexm_systick_start();
}

void microprop_port_write(const char* text, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        while (UART0_FR & UART_FR_TXFF) {
        }
        UART0_DR = (uint8_t)text[i];
    }
}

void cortexm_board_flush(void)
{
    while (UART0_FR & UART_FR_BUSY) {
    }
}

uint32_t microprop_port_counter(void) { return cortexm_systick_count(); }

uint32_t microprop_port_counter_hz(void) { return LM3S_CORE_HZ; }
