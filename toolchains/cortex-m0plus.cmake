# Cortex-M0+ (ARMv6-M): no FPU, floats in software (libgcc).
set(MICROPROP_CPU cortex-m0plus)
set(MICROPROP_CPU_FLAGS "-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake)
