# ARM MPS2+ with the AN385 FPGA image (Cortex-M3), run under qemu-system-arm -M mps2-an385.
include(${CMAKE_CURRENT_LIST_DIR}/../cortex-m/cortex-m.cmake)
microprop_cortexm_port(
    CPU cortex-m3
    MEMORY ${MICROPROP_CORTEXM_DIR}/mps2.ld
    RAM_BYTES 4194304
    FLASH_BYTES 4128768
    SOURCES ${MICROPROP_CORTEXM_DIR}/mps2.c ${MICROPROP_CORTEXM_DIR}/systick.c
    DEFINITIONS MPS2_UART0_BASE=0x40004000u MPS2_SYSCLK_HZ=25000000u
    QEMU_MACHINE mps2-an385
    QEMU_CPU cortex-m3)
