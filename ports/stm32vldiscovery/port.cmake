# STM32VLDISCOVERY (STM32F100RB, Cortex-M3, 8 KB RAM, 128 KB flash), also run
# under qemu-system-arm -M stm32vldiscovery: shows training fits a tiny part.
# Console: USART1 TX on PA9 (115200 8N1); counter: SysTick on the core clock
# (8 MHz HSI on silicon, 24 MHz in QEMU's model, told apart at run time).
include(${CMAKE_CURRENT_LIST_DIR}/../cortex-m/cortex-m.cmake)
microprop_cortexm_port(
    CPU cortex-m3
    MEMORY ${CMAKE_CURRENT_LIST_DIR}/memory.ld
    RAM_BYTES 8192
    FLASH_BYTES 131072
    SOURCES ${MICROPROP_CORTEXM_DIR}/stm32.c ${MICROPROP_CORTEXM_DIR}/systick.c
    DEFINITIONS STM32_F1 STM32_USART1 STM32_HSI_HZ=8000000u STM32_QEMU_SYSCLK_HZ=24000000u
    IRQS 61
    QEMU_MACHINE stm32vldiscovery)
