# ARM MPS2+ AN386 (Cortex-M4F) under qemu-system-arm -M mps2-an386, with the linker
# script giving programs only 256 KB of RAM (see memory.ld).
include(${CMAKE_CURRENT_LIST_DIR}/../cortex-m/cortex-m.cmake)
microprop_cortexm_port(
    CPU cortex-m4f
    MEMORY ${CMAKE_CURRENT_LIST_DIR}/memory.ld
    RAM_BYTES 262144
    FLASH_BYTES 4194304
    SOURCES ${MICROPROP_CORTEXM_DIR}/mps2.c ${MICROPROP_CORTEXM_DIR}/systick.c
    DEFINITIONS MPS2_UART0_BASE=0x40004000u MPS2_SYSCLK_HZ=25000000u
    QEMU_MACHINE mps2-an386
    QEMU_CPU cortex-m4)
