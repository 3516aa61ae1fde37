# Cortex-M33 (ARMv8-M Mainline): single-precision FPv5-SP-D16, hard-float ABI, DSP extension.
set(MICROPROP_CPU cortex-m33)
set(MICROPROP_CPU_FLAGS "-mcpu=cortex-m33 -mthumb -mfpu=fpv5-sp-d16 -mfloat-abi=hard")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake)
