# Cortex-M55 (ARMv8.1-M): Helium (MVE) with FP, hard-float ABI.
set(MICROPROP_CPU cortex-m55)
set(MICROPROP_CPU_FLAGS "-mcpu=cortex-m55 -mthumb -mfloat-abi=hard")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake)
