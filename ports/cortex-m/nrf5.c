/* Nordic nRF51 and nRF52 boards: console on the (legacy, non-DMA) UART0,
 * 115200 baud 8N1, TX pin only; counter from TIMER0 (32-bit, 16 MHz) or,
 * on Cortex-M4 parts, DWT->CYCCNT (silicon only: QEMU 7.2 reads it as 0).
 * The CPU runs on the reset clock (HFINT), the ports touch no clock setup.
 *
 * The board's port.cmake defines:
 *   NRF_UART_TX_PIN      GPIO of the console's TX line
 *   NRF_COUNTER_DWT      count core cycles with DWT (else TIMER0)
 *   NRF_CORE_HZ          core clock (for NRF_COUNTER_DWT) */
#include "cortexm.h"
#include "port.h"

#define UART_BASE 0x40002000u
#define UART_TASKS_STARTTX CORTEXM_REG(UART_BASE + 0x008u)
#define UART_EVENTS_TXDRDY CORTEXM_REG(UART_BASE + 0x11Cu)
#define UART_ENABLE CORTEXM_REG(UART_BASE + 0x500u)
#define UART_PSELTXD CORTEXM_REG(UART_BASE + 0x50Cu)
#define UART_TXD CORTEXM_REG(UART_BASE + 0x51Cu)
#define UART_BAUDRATE CORTEXM_REG(UART_BASE + 0x524u)
#define UART_BAUDRATE_115200 0x01D7E000u

#define TIMER0_BASE 0x40008000u
#define TIMER0_TASKS_START CORTEXM_REG(TIMER0_BASE + 0x000u)
#define TIMER0_TASKS_CAPTURE0 CORTEXM_REG(TIMER0_BASE + 0x040u)
#define TIMER0_MODE CORTEXM_REG(TIMER0_BASE + 0x504u)
#define TIMER0_BITMODE CORTEXM_REG(TIMER0_BASE + 0x508u)
#define TIMER0_PRESCALER CORTEXM_REG(TIMER0_BASE + 0x510u)
#define TIMER0_CC0 CORTEXM_REG(TIMER0_BASE + 0x540u)

void microprop_port_init(void)
{
    UART_PSELTXD = NRF_UART_TX_PIN;
    UART_BAUDRATE = UART_BAUDRATE_115200;
    UART_ENABLE = 4u;
    UART_TASKS_STARTTX = 1u;
#if defined(NRF_COUNTER_DWT)
    cortexm_dwt_start();
#else
    TIMER0_MODE = 0u;      /* timer */
    TIMER0_BITMODE = 3u;   /* 32 bit */
    TIMER0_PRESCALER = 0u; /* 16 MHz */
    TIMER0_TASKS_START = 1u;
#endif
}

void microprop_port_write(const char* text, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        UART_EVENTS_TXDRDY = 0u;
        UART_TXD = (uint8_t)text[i];
        while (UART_EVENTS_TXDRDY == 0u) {
        }
    }
}

void cortexm_board_flush(void) {}

uint32_t microprop_port_counter(void)
{
#if defined(NRF_COUNTER_DWT)
    return cortexm_dwt_count();
#else
    TIMER0_TASKS_CAPTURE0 = 1u;
    return TIMER0_CC0;
#endif
}

uint32_t microprop_port_counter_hz(void)
{
#if defined(NRF_COUNTER_DWT)
    return NRF_CORE_HZ;
#else
    return 16000000u;
#endif
}
