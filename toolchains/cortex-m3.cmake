# Cortex-M3 (ARMv7-M): no FPU, floats in software (libgcc).
set(MICROPROP_CPU cortex-m3)
set(MICROPROP_CPU_FLAGS "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake)
