# Cortex-M7 (ARMv7E-M): double-precision FPv5-D16, hard-float ABI.
set(MICROPROP_CPU cortex-m7)
set(MICROPROP_CPU_FLAGS "-mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake)
