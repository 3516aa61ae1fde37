# nRF52840-DK (nRF52840, Cortex-M4F, 256 KB RAM, 1 MB flash). QEMU does not
# emulate it: images are built (.elf, .bin, .hex) and flashed, see README.md.
# Console: UART0 TX on P0.06, wired to the J-Link virtual COM port; counter:
# DWT->CYCCNT at the 64 MHz core clock.
include(${CMAKE_CURRENT_LIST_DIR}/../cortex-m/cortex-m.cmake)
microprop_cortexm_port(
    CPU cortex-m4f
    MEMORY ${CMAKE_CURRENT_LIST_DIR}/memory.ld
    RAM_BYTES 262144
    FLASH_BYTES 1032192
    SOURCES ${MICROPROP_CORTEXM_DIR}/nrf5.c
    DEFINITIONS NRF_UART_TX_PIN=6u NRF_COUNTER_DWT NRF_CORE_HZ=64000000u
    IRQS 48
    FLASH nrf52840)
