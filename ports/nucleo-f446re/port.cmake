# NUCLEO-F446RE (STM32F446RE, Cortex-M4F, 128 KB RAM, 512 KB flash). QEMU does
# not emulate it: images are built (.elf, .bin, .hex) and flashed, see
# README.md. Console: USART2 TX on PA2, wired to the ST-LINK virtual COM
# port; counter: DWT->CYCCNT at the 16 MHz HSI reset clock.
include(${CMAKE_CURRENT_LIST_DIR}/../cortex-m/cortex-m.cmake)
microprop_cortexm_port(
    CPU cortex-m4f
    MEMORY ${CMAKE_CURRENT_LIST_DIR}/memory.ld
    RAM_BYTES 131072
    FLASH_BYTES 262144
    SOURCES ${MICROPROP_CORTEXM_DIR}/stm32.c
    DEFINITIONS STM32_F4 STM32_USART2 STM32_COUNTER_DWT STM32_HSI_HZ=16000000u
                STM32_QEMU_SYSCLK_HZ=16000000u
    IRQS 97
    FLASH stm32f4)
