# Netduino Plus 2 (STM32F405RG, Cortex-M4F, 192 KB RAM of which the
# 128 KB SRAM is used, see memory.ld): a real STM32F4 port
# whose image also boots under qemu-system-arm -M netduinoplus2. Console:
# USART1 TX on PA9 (115200 8N1; QEMU's first serial port); counter: SysTick on
# the core clock (16 MHz HSI on silicon, 168 MHz in QEMU's model, told apart at
# run time). On silicon, flash <image>.elf through SWD with OpenOCD
# (-f interface/<probe>.cfg -f target/stm32f4x.cfg -c "program <image>.elf verify reset exit").
include(${CMAKE_CURRENT_LIST_DIR}/../cortex-m/cortex-m.cmake)
microprop_cortexm_port(
    CPU cortex-m4f
    MEMORY ${CMAKE_CURRENT_LIST_DIR}/memory.ld
    RAM_BYTES 131072
    FLASH_BYTES 786432
    SOURCES ${MICROPROP_CORTEXM_DIR}/stm32.c ${MICROPROP_CORTEXM_DIR}/systick.c
    DEFINITIONS STM32_F4 STM32_USART1 STM32_HSI_HZ=16000000u STM32_QEMU_SYSCLK_HZ=168000000u
    IRQS 82
    QEMU_MACHINE netduinoplus2
    FLASH stm32f4)
