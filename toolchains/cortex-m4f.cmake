# Cortex-M4F (ARMv7E-M): single-precision FPv4-SP-D16, hard-float ABI.
set(MICROPROP_CPU cortex-m4f)
set(MICROPROP_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake)
