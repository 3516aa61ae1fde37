# ARM MPS2+ with the AN386 FPGA image (Cortex-M4F), run under qemu-system-arm -M mps2-an386.
# Persistent data: NOR semantics in software over the last 64 KB of SSRAM1 (mps2.ld),
# power cuts from CMSDK TIMER0 (ports/flash/README.md).
include(${CMAKE_CURRENT_LIST_DIR}/../cortex-m/cortex-m.cmake)
microprop_cortexm_port(
    CPU cortex-m4f
    MEMORY ${MICROPROP_CORTEXM_DIR}/mps2.ld
    RAM_BYTES 4194304
    FLASH_BYTES 4128768
    SOURCES ${MICROPROP_CORTEXM_DIR}/mps2.c ${MICROPROP_CORTEXM_DIR}/systick.c
    DEFINITIONS MPS2_UART0_BASE=0x40004000u MPS2_SYSCLK_HZ=25000000u
    QEMU_MACHINE mps2-an386
    QEMU_CPU cortex-m4
    FLASH ram_nor)
