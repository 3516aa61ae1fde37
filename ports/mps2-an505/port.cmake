# ARM MPS2+ with the AN505 FPGA image (Cortex-M33 IoT Kit), run under
# qemu-system-arm -M mps2-an505. The image stays in the Secure world it boots
# in; UART0 is reached through its Secure alias 0x50200000 and the system
# clock is 20 MHz.
include(${CMAKE_CURRENT_LIST_DIR}/../cortex-m/cortex-m.cmake)
microprop_cortexm_port(
    CPU cortex-m33
    MEMORY ${CMAKE_CURRENT_LIST_DIR}/memory.ld
    RAM_BYTES 4194304
    FLASH_BYTES 4194304
    SOURCES ${MICROPROP_CORTEXM_DIR}/mps2.c ${MICROPROP_CORTEXM_DIR}/systick.c
    DEFINITIONS MPS2_UART0_BASE=0x50200000u MPS2_SYSCLK_HZ=20000000u
    IRQS 92
    QEMU_MACHINE mps2-an505
    QEMU_CPU cortex-m33)
