# BBC micro:bit v1 (nRF51822, Cortex-M0, 16 KB RAM), run under
# qemu-system-arm -M microbit. Console: UART0 on P0.24 (the interface chip's
# USB serial on real hardware); counter: TIMER0 at 16 MHz (the nRF51's M0 has
# no SysTick). Flash: the NVMC driver over the last 8 KB (memory.ld), which
# QEMU's model emulates (ports/flash/README.md).
include(${CMAKE_CURRENT_LIST_DIR}/../cortex-m/cortex-m.cmake)
microprop_cortexm_port(
    CPU cortex-m0
    MEMORY ${CMAKE_CURRENT_LIST_DIR}/memory.ld
    RAM_BYTES 16384
    FLASH_BYTES 253952
    SOURCES ${MICROPROP_CORTEXM_DIR}/nrf5.c
    DEFINITIONS NRF_UART_TX_PIN=24u
    IRQS 32
    QEMU_MACHINE microbit
    FLASH nrf51)
# Tests too big for the nRF51822's 248 KB of flash (the last 8 KB hold the flash store):
# test_gradient_check_float instantiates about 56 network types with their gradient checks
# (each now four forward passes per parameter in float and double) and needs 293 KB. The
# float gradient check on this core is shown by test_float_gradient_check instead.
list(APPEND MICROPROP_PORT_SKIP_TESTS test_gradient_check_float)
