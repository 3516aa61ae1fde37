# ARM MPS3 with the AN547 FPGA image (Cortex-M55 with Helium, SSE-300), run
# under qemu-system-arm -M mps3-an547 (optional: preset qemu-m55). The image
# stays in the Secure world it boots in; UART0 is reached through its Secure
# alias 0x59303000 and SysTick runs on the 32 MHz system clock.
include(${CMAKE_CURRENT_LIST_DIR}/../cortex-m/cortex-m.cmake)
microprop_cortexm_port(
    CPU cortex-m55
    MEMORY ${CMAKE_CURRENT_LIST_DIR}/memory.ld
    RAM_BYTES 524288
    FLASH_BYTES 524288
    SOURCES ${MICROPROP_CORTEXM_DIR}/mps2.c ${MICROPROP_CORTEXM_DIR}/systick.c
    DEFINITIONS MPS2_UART0_BASE=0x59303000u MPS2_SYSCLK_HZ=32000000u
    IRQS 96
    QEMU_MACHINE mps3-an547
    QEMU_CPU cortex-m55)
