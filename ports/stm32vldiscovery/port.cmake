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

# Tests that do not fit this part; they run on every other port:
# - test_robustness keeps several networks and trainers on the stack at once and
#   needs about 11 KB of stack (8 KB of RAM in all);
# - test_gradient_check_float / _double instantiate ~56 network types each and
#   need 177 KB / 190 KB of flash (128 KB here);
# - test_batch_kernels keeps its minibatch matrices in static arrays of about 9 KB;
# - test_serialize keeps a network, its Adam trainer and their training blobs on the stack at
#   once, more than the 1.8 KB of stack its static data leave (the stack guard stops it with
#   "fatal: stack overflow").
# - test_levenberg_marquardt keeps five trainers' matrices and its own reference Jacobian in
#   static arrays, about 9 KB (the example levenberg_marquardt, one trainer of each kind, runs here).
# - test_gauss_newton's consolidation cases keep a trainer and its snapshot on the stack, more
#   than the 2.3 KB left here (the stack guard stops it with "fatal: stack overflow").
list(APPEND MICROPROP_PORT_SKIP_TESTS test_batch_kernels test_robustness test_gradient_check_float test_gradient_check_double
     test_serialize test_levenberg_marquardt test_gauss_newton)
# Examples that do not fit: anomaly fits the RAM (7.7 of 8 KB) but not the flash (the digits
# data alone is 115 KB of the 128 KB; the image overflows by 7.5 KB); digits_fixed fits both
# (6.2 of 8 KB of RAM; its images packed five bits a pixel, examples/common/packed_pixels.hpp,
# take 72 KB of flash instead of 115 KB; the float digits example needs 11.4 KB of RAM and is
# skipped for that); infer_only (1.4 KB of RAM, but the
# digits data and the 9.6 KB of float and 2.7 KB of int8 weights overflow the flash by 12 KB);
# transfer and transfer_wide (images of 159 KB and 196 KB: the digits data and the frozen weights).
list(APPEND MICROPROP_PORT_SKIP_EXAMPLES anomaly infer_only transfer transfer_wide)
