# Cortex-M support for firmware that uses microprop: the public CMake interface of the
# shared startup, linker script pieces, console, counter, exit and no-heap check.
# ports/README.md is the guide. Every way of getting microprop loads this file:
#   add_subdirectory(microprop) / FetchContent   from microprop's CMakeLists.txt
#   find_package(microprop)                      from the installed micropropConfig.cmake
# It lives in the same relative place in the source and in the install tree
# (<prefix>/share/microprop/ports/cortex-m/), so every path below is found from here.
#
# Targets
#   microprop::port      port.h (the board interface) and console.hpp (heap-free printing)
#   microprop::cortex_m  microprop::port plus cortexm.h (core registers, cortexm_exit,
#                        cortexm_systick_*, cortexm_dwt_*): for board code
# Functions
#   microprop_add_cortex_m_board(<name> MEMORY <memory.ld> SOURCES <board files>... ...)
#   microprop_cortex_m_executable(<target> BOARD <name>)
#   microprop_add_qemu_test(<test> <target> [EXPECT <regex>])
# Variables (cache, visible in every directory)
#   MICROPROP_CORTEX_M_DIR    this folder: startup.c, systick.c, sections.ld, cortexm.h
#   MICROPROP_TOOLCHAINS_DIR  the toolchain files, one per core (cortex-m3.cmake, ...)
#
# Nothing here adds warning flags: the board's sources and your programs compile with
# your flags (and the toolchain file's CPU flags).
include_guard(GLOBAL)

set(MICROPROP_CORTEX_M_DIR ${CMAKE_CURRENT_LIST_DIR} CACHE INTERNAL
    "microprop's shared Cortex-M support (startup.c, systick.c, sections.ld, cortexm.h)")
cmake_path(SET _microprop_toolchains NORMALIZE ${CMAKE_CURRENT_LIST_DIR}/../../toolchains)
set(MICROPROP_TOOLCHAINS_DIR ${_microprop_toolchains} CACHE INTERNAL
    "microprop's toolchain files (pass one as CMAKE_TOOLCHAIN_FILE)")
unset(_microprop_toolchains)

if(NOT TARGET microprop::port)
    cmake_path(SET _microprop_ports NORMALIZE ${CMAKE_CURRENT_LIST_DIR}/..)
    add_library(microprop_port_interface INTERFACE)
    add_library(microprop::port ALIAS microprop_port_interface)
    target_include_directories(microprop_port_interface INTERFACE ${_microprop_ports} ${_microprop_ports}/common)
    add_library(microprop_cortex_m INTERFACE)
    add_library(microprop::cortex_m ALIAS microprop_cortex_m)
    target_include_directories(microprop_cortex_m INTERFACE ${CMAKE_CURRENT_LIST_DIR})
    target_link_libraries(microprop_cortex_m INTERFACE microprop::port)
    unset(_microprop_ports)
endif()

# microprop_add_cortex_m_board(<name>
#     MEMORY <memory.ld>        the board's MEMORY regions (FLASH, RAM), STACK_RAM alias and
#                               __stack_min_size, ending with `INCLUDE sections.ld`
#     SOURCES <files>...        board code: microprop_port_init/write/counter/counter_hz and
#                               cortexm_board_flush (ports/README.md)
#     [CPU <core>]              the core the board has (cortex-m0, cortex-m3, cortex-m4f, ...):
#                               checked against the microprop toolchain file in use
#     [SYSTICK]                 also compile the shared SysTick counter (cortexm_systick_start,
#                               cortexm_systick_count)
#     [DEFINITIONS <defs>...]   compile definitions for the board code
#     [IRQS <n>]                external interrupt lines in the vector table (default 32)
#     [REPORT_STACK]            images print `stack_high_water=<bytes>` before exiting
#     [QEMU_MACHINE <m>]        qemu-system-arm -M value: ctest runs the images there
#     [QEMU_CPU <c>])           qemu-system-arm -cpu value
#
# Defines the OBJECT library <name>: the shared startup (vector table, reset handler,
# fault handlers, semihosting exit, microprop_port_exit, heap-free C/C++ runtime hooks)
# plus the board's sources. An OBJECT library, so that the vector table goes into every
# image whole. It carries the link options (-nostartfiles, the linker script) and the
# include paths of microprop::cortex_m to whatever links it.
function(microprop_add_cortex_m_board name)
    cmake_parse_arguments(PARSE_ARGV 1 arg "SYSTICK;REPORT_STACK"
        "CPU;MEMORY;IRQS;QEMU_MACHINE;QEMU_CPU" "SOURCES;DEFINITIONS")
    if(arg_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "microprop_add_cortex_m_board(${name}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
    endif()
    if(NOT arg_MEMORY OR NOT arg_SOURCES)
        message(FATAL_ERROR "microprop_add_cortex_m_board(${name}) needs MEMORY <memory.ld> and SOURCES <board files>")
    endif()
    if(NOT CMAKE_C_COMPILER_LOADED)
        message(FATAL_ERROR "microprop_add_cortex_m_board(${name}): the startup code is C: "
            "enable it with project(<name> LANGUAGES C CXX)")
    endif()
    if(NOT CMAKE_CROSSCOMPILING OR (arg_CPU AND DEFINED MICROPROP_CPU AND NOT MICROPROP_CPU STREQUAL arg_CPU))
        if(NOT arg_CPU)
            set(arg_CPU "<core>")
        endif()
        message(FATAL_ERROR "microprop_add_cortex_m_board(${name}) is a ${arg_CPU} board: configure with "
            "-DCMAKE_TOOLCHAIN_FILE=${MICROPROP_TOOLCHAINS_DIR}/${arg_CPU}.cmake "
            "(current: CMAKE_CROSSCOMPILING=${CMAKE_CROSSCOMPILING}, toolchain CPU '${MICROPROP_CPU}')")
    endif()
    if(NOT arg_IRQS)
        set(arg_IRQS 32)
    endif()
    cmake_path(ABSOLUTE_PATH arg_MEMORY BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} NORMALIZE)

    set(dir ${MICROPROP_CORTEX_M_DIR})
    set(sources ${dir}/startup.c ${arg_SOURCES})
    if(arg_SYSTICK)
        list(APPEND sources ${dir}/systick.c)
    endif()
    add_library(${name} OBJECT ${sources})
    target_link_libraries(${name} PUBLIC microprop::cortex_m)
    target_compile_definitions(${name} PRIVATE CORTEXM_IRQ_COUNT=${arg_IRQS} ${arg_DEFINITIONS}
        $<$<BOOL:${arg_REPORT_STACK}>:CORTEXM_REPORT_STACK=1>)
    target_compile_features(${name} PRIVATE c_std_11)
    # -L: memory.ld finds `INCLUDE sections.ld` there.
    target_link_options(${name} INTERFACE -nostartfiles -L${dir} -T${arg_MEMORY})

    # -DCMAKE_CXX_FLAGS=... (or _C_, _EXE_LINKER_) on the command line replaces a microprop
    # toolchain's *_FLAGS_INIT, CPU flags included: put them back for what links the board.
    if(DEFINED MICROPROP_CPU_FLAGS)
        separate_arguments(cpu_flags UNIX_COMMAND "${MICROPROP_CPU_FLAGS}")
        list(GET cpu_flags 0 mcpu)
        if(NOT " ${CMAKE_C_FLAGS} " MATCHES " ${mcpu} " OR NOT " ${CMAKE_CXX_FLAGS} " MATCHES " ${mcpu} ")
            message(STATUS "microprop: CMAKE_C_FLAGS or CMAKE_CXX_FLAGS lacks the toolchain's CPU flags; "
                "board ${name} adds ${MICROPROP_CPU_FLAGS} to what links it")
            target_compile_options(${name} PUBLIC ${cpu_flags} -ffunction-sections -fdata-sections
                $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions$<SEMICOLON>-fno-rtti$<SEMICOLON>-fno-threadsafe-statics>)
        endif()
        if(NOT " ${CMAKE_EXE_LINKER_FLAGS} " MATCHES " ${mcpu} ")
            message(STATUS "microprop: CMAKE_EXE_LINKER_FLAGS lacks the toolchain's flags; board ${name} adds them")
            target_link_options(${name} INTERFACE ${cpu_flags} --specs=nano.specs -Wl,--gc-sections)
        endif()
    endif()

    set(emulator "")
    if(arg_QEMU_MACHINE)
        # Installed beside this file; in the source tree it is tests/qemu/run-qemu.sh.
        set(runner ${dir}/run-qemu.sh)
        if(NOT EXISTS ${runner})
            cmake_path(SET runner NORMALIZE ${dir}/../../tests/qemu/run-qemu.sh)
        endif()
        set(emulator ${runner} --machine ${arg_QEMU_MACHINE})
        if(arg_QEMU_CPU)
            list(APPEND emulator --cpu ${arg_QEMU_CPU})
        endif()
    endif()
    set_target_properties(${name} PROPERTIES
        MICROPROP_LINKER_SCRIPTS "${arg_MEMORY};${dir}/sections.ld"
        MICROPROP_EMULATOR "${emulator}")
endfunction()

# microprop_cortex_m_executable(<target> BOARD <name>)
#
# Makes the executable <target> an image for board <name>: links the board's objects,
# names it <target>.elf, writes <target>.map, <target>.bin and <target>.hex beside it,
# fails the build when the image links an allocator (check-no-heap.cmake) and, for a board
# with QEMU_MACHINE, sets the CROSSCOMPILING_EMULATOR through which add_test() and
# microprop_add_qemu_test() run it.
function(microprop_cortex_m_executable target)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "BOARD" "")
    if(NOT arg_BOARD OR NOT TARGET ${arg_BOARD})
        message(FATAL_ERROR "microprop_cortex_m_executable(${target}) needs BOARD <a microprop_add_cortex_m_board target>")
    endif()
    target_link_libraries(${target} PRIVATE ${arg_BOARD})
    get_target_property(scripts ${arg_BOARD} MICROPROP_LINKER_SCRIPTS)
    get_target_property(emulator ${arg_BOARD} MICROPROP_EMULATOR)
    set(dir $<TARGET_FILE_DIR:${target}>)
    set_target_properties(${target} PROPERTIES SUFFIX .elf LINK_DEPENDS "${scripts}")
    target_link_options(${target} PRIVATE -Wl,-Map=${dir}/${target}.map)
    if(emulator AND NOT CMAKE_CROSSCOMPILING_EMULATOR)
        set_target_properties(${target} PROPERTIES CROSSCOMPILING_EMULATOR "${emulator}")
    endif()
    add_custom_command(TARGET ${target} POST_BUILD
        COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} -DIMAGE=$<TARGET_FILE:${target}>
                -P ${MICROPROP_CORTEX_M_DIR}/check-no-heap.cmake
        COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:${target}> ${dir}/${target}.bin
        COMMAND ${CMAKE_OBJCOPY} -O ihex $<TARGET_FILE:${target}> ${dir}/${target}.hex
        BYPRODUCTS ${CMAKE_CURRENT_BINARY_DIR}/${target}.bin ${CMAKE_CURRENT_BINARY_DIR}/${target}.hex
        COMMENT "${target}: no-heap check, ${target}.bin, ${target}.hex"
        VERBATIM)
endfunction()

# microprop_add_qemu_test(<test> <target> [EXPECT <regex>] [TIMEOUT <seconds>])
#
# A ctest test that runs image <target> through its emulator (the board's QEMU_MACHINE,
# or CMAKE_CROSSCOMPILING_EMULATOR) and passes when the program exits 0 AND, with EXPECT,
# its console output matches <regex> (a CMake regular expression). Plain add_test() with
# PASS_REGULAR_EXPRESSION would ignore the exit status.
function(microprop_add_qemu_test test target)
    cmake_parse_arguments(PARSE_ARGV 2 arg "" "EXPECT;TIMEOUT" "")
    if(NOT arg_TIMEOUT)
        set(arg_TIMEOUT 600)
    endif()
    add_test(NAME ${test}
        COMMAND ${CMAKE_COMMAND}
            "-DIMAGE=$<TARGET_FILE:${target}>"
            "-DEMULATOR=$<JOIN:$<TARGET_PROPERTY:${target},CROSSCOMPILING_EMULATOR>,@@>"
            "-DEXPECT=${arg_EXPECT}"
            -P ${MICROPROP_CORTEX_M_DIR}/run-image.cmake)
    set_tests_properties(${test} PROPERTIES TIMEOUT ${arg_TIMEOUT})
endfunction()
