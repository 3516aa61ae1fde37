/* ARM MPS2/MPS2+ FPGA images (AN385 Cortex-M3, AN386 Cortex-M4, AN500
 * Cortex-M7, AN505 Cortex-M33) as QEMU emulates them: console on CMSDK APB
 * UART0, counter from SysTick on the system clock. The board's port.cmake
 * defines MPS2_UART0_BASE and MPS2_SYSCLK_HZ. */
#include "cortexm.h"
#include "port.h"

#if !defined(MPS2_UART0_BASE) || !defined(MPS2_SYSCLK_HZ)
#error "MPS2 ports define MPS2_UART0_BASE and MPS2_SYSCLK_HZ"
#endif

/* CMSDK APB UART (Arm DDI 0479, 4.6). */
#define UART_DATA CORTEXM_REG(MPS2_UART0_BASE + 0x00u)
#define UART_STATE CORTEXM_REG(MPS2_UART0_BASE + 0x04u)
#define UART_CTRL CORTEXM_REG(MPS2_UART0_BASE + 0x08u)
#define UART_BAUDDIV CORTEXM_REG(MPS2_UART0_BASE + 0x10u)
#define UART_STATE_TXFULL 0x1u
#define UART_CTRL_TXEN 0x1u

void microprop_port_init(void)
{
    UART_BAUDDIV = MPS2_SYSCLK_HZ / 115200u;
    UART_CTRL = UART_CTRL_TXEN;
    cortexm_systick_start();
}

void microprop_port_write(const char* text, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        while (UART_STATE & UART_STATE_TXFULL) {
        }
        UART_DATA = (uint8_t)text[i];
    }
}

void cortexm_board_flush(void)
{
    while (UART_STATE & UART_STATE_TXFULL) {
    }
}

uint32_t microprop_port_counter(void) { return cortexm_systick_count(); }

uint32_t microprop_port_counter_hz(void) { return MPS2_SYSCLK_HZ; }
