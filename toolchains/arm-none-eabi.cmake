# GNU Arm Embedded (arm-none-eabi) toolchain, shared by every Cortex-M core.
#
# Do not pass this file to CMake directly: pass the per-core file
# (toolchains/cortex-m4f.cmake, ...), which sets MICROPROP_CPU_FLAGS and
# includes this one, as in tinyusb's examples/build_system/cmake/toolchain/.
#
#   cmake -S . -B build/m4f -DCMAKE_TOOLCHAIN_FILE=toolchains/cortex-m4f.cmake -DMICROPROP_PORT=mps2-an386
#
# Compiler names are taken from PATH, or from ARM_TOOLCHAIN_DIR (the bin/
# folder of an Arm GNU toolchain install) when it is set in the environment.
if(NOT DEFINED MICROPROP_CPU_FLAGS)
    message(FATAL_ERROR "Use a per-core toolchain file (toolchains/cortex-m*.cmake), not arm-none-eabi.cmake")
endif()

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
# Bare-metal executables need a startup file and a linker script, so CMake's
# compiler checks build a static library instead of linking a program.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(_prefix arm-none-eabi-)
if(DEFINED ENV{ARM_TOOLCHAIN_DIR})
    set(_prefix "$ENV{ARM_TOOLCHAIN_DIR}/arm-none-eabi-")
endif()
set(CMAKE_C_COMPILER ${_prefix}gcc)
set(CMAKE_CXX_COMPILER ${_prefix}g++)
set(CMAKE_ASM_COMPILER ${_prefix}gcc)
set(CMAKE_AR ${_prefix}ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${_prefix}ranlib CACHE FILEPATH "")
set(CMAKE_OBJCOPY ${_prefix}objcopy CACHE FILEPATH "")
set(CMAKE_NM ${_prefix}nm CACHE FILEPATH "")
set(CMAKE_SIZE ${_prefix}size CACHE FILEPATH "")
unset(_prefix)

# Every function and object in its own section so --gc-sections drops what is
# unused; C++ without exceptions, RTTI or thread-safe static guards (one core,
# no RTOS). -fno-threadsafe-statics keeps __cxa_guard_* (and what they drag
# in) out of the image.
set(_common "${MICROPROP_CPU_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_C_FLAGS_INIT "${_common}")
set(CMAKE_CXX_FLAGS_INIT "${_common} -fno-exceptions -fno-rtti -fno-threadsafe-statics")
set(CMAKE_ASM_FLAGS_INIT "${MICROPROP_CPU_FLAGS}")
# newlib-nano, unused sections dropped, region usage printed at every link.
# Startup code, linker script and syscall stubs come from the board port
# (ports/cortex-m/cortex-m.cmake), which also adds -nostartfiles.
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "${MICROPROP_CPU_FLAGS} --specs=nano.specs -Wl,--gc-sections -Wl,--print-memory-usage")
unset(_common)

# Never pick up host libraries or headers.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
