# Build rules for microprop's own Cortex-M board ports (ports/<board>/port.cmake), on top of
# the public functions in board.cmake that firmware outside the tree uses as well.
#
# microprop_cortexm_port(
#     CPU <core>              toolchain the board needs (toolchains/<core>.cmake)
#     MEMORY <memory.ld>      the board's MEMORY regions; INCLUDEs sections.ld
#     RAM_BYTES <n>           RAM for static data + stack (MICROPROP_PORT_RAM_BYTES)
#     FLASH_BYTES <n>         flash for code + constants (MICROPROP_PORT_FLASH_BYTES)
#     SOURCES <files>...      board code implementing ports/port.h and cortexm_board_flush()
#     [DEFINITIONS <defs>...] compile definitions for the board code
#     [IRQS <n>]              external interrupt lines in the vector table (default 32)
#     [QEMU_MACHINE <m>]      qemu-system-arm -M value: ctest runs the images there
#     [QEMU_CPU <c>]          qemu-system-arm -cpu value
#     [FLASH <part>])         flash driver for the region memory.ld reserves
#                             (nrf51, nrf52840, stm32f4, ram_nor; ports/flash/README.md)
#
# It defines the board as the OBJECT library microprop_port (microprop_add_cortex_m_board,
# compiled with microprop's warnings as errors) and microprop_port_post_build(<target>),
# which microprop_add_program() calls for every image (microprop_cortex_m_executable:
# .elf suffix, linker script, map file, .bin and .hex, the no-heap check, the QEMU runner).
#
# With FLASH it also defines the STATIC library microprop_flash (the part's C
# driver, ports/flash/region_flash.hpp's part selection and, where the board
# has one, the power-cut timer of ports/flash/power_cut.h) that programs
# using persistent storage link, and sets MICROPROP_PORT_FLASH to the part.

include(${CMAKE_CURRENT_LIST_DIR}/board.cmake)
set(MICROPROP_CORTEXM_DIR ${CMAKE_CURRENT_LIST_DIR})

option(MICROPROP_PORT_REPORT_STACK
    "Cortex-M images print 'stack_high_water=<bytes>' (painted stack) before exiting" OFF)

function(microprop_cortexm_port)
    cmake_parse_arguments(PARSE_ARGV 0 arg ""
        "CPU;MEMORY;RAM_BYTES;FLASH_BYTES;IRQS;QEMU_MACHINE;QEMU_CPU;FLASH" "SOURCES;DEFINITIONS")
    if(NOT CMAKE_CROSSCOMPILING OR NOT MICROPROP_CPU STREQUAL arg_CPU)
        message(FATAL_ERROR "Port '${MICROPROP_PORT}' is a ${arg_CPU}: configure with "
            "-DCMAKE_TOOLCHAIN_FILE=toolchains/${arg_CPU}.cmake (or a preset from CMakePresets.json); "
            "current CPU: '${MICROPROP_CPU}'")
    endif()
    set(optional "")
    foreach(key IRQS QEMU_MACHINE QEMU_CPU)
        if(arg_${key})
            list(APPEND optional ${key} ${arg_${key}})
        endif()
    endforeach()
    if(MICROPROP_PORT_REPORT_STACK)
        list(APPEND optional REPORT_STACK)
    endif()
    microprop_add_cortex_m_board(microprop_port
        CPU ${arg_CPU}
        MEMORY ${arg_MEMORY}
        SOURCES ${arg_SOURCES}
        DEFINITIONS ${arg_DEFINITIONS}
        ${optional})
    target_link_libraries(microprop_port PRIVATE microprop_warnings)

    # Shows that the no-heap check works: an image that calls malloc and
    # operator new must fail to build with the check's message.
    if(MICROPROP_BUILD_TESTS)
        add_executable(microprop_heap_selftest EXCLUDE_FROM_ALL ${MICROPROP_CORTEXM_DIR}/heap_selftest.cpp)
        microprop_port_post_build(microprop_heap_selftest)
        add_test(NAME no_heap_check_rejects_allocation
            COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target microprop_heap_selftest)
        set_tests_properties(no_heap_check_rejects_allocation PROPERTIES
            PASS_REGULAR_EXPRESSION "no-heap check failed: [^ ]+ contains: _Znwj( [^ ]+)* _sbrk( [^ ]+)* malloc"
            RUN_SERIAL TRUE)
    endif()

    set(flash_dir ${MICROPROP_CORTEXM_DIR}/../flash)
    cmake_path(NORMAL_PATH flash_dir)
    if(arg_FLASH STREQUAL "nrf51")
        set(flash_sources ${flash_dir}/nrf5_nvmc.c ${flash_dir}/power_cut_nrf5.c)
    elseif(arg_FLASH STREQUAL "nrf52840")
        set(flash_sources ${flash_dir}/nrf5_nvmc.c)
    elseif(arg_FLASH STREQUAL "stm32f4")
        set(flash_sources ${flash_dir}/stm32f4_flash.c)
    elseif(arg_FLASH STREQUAL "ram_nor")
        set(flash_sources ${flash_dir}/ram_nor.c ${flash_dir}/power_cut_cmsdk.c)
    elseif(arg_FLASH)
        message(FATAL_ERROR "microprop_cortexm_port: unknown FLASH part '${arg_FLASH}'")
    endif()
    if(arg_FLASH)
        add_library(microprop_flash STATIC ${flash_sources})
        target_include_directories(microprop_flash PUBLIC ${flash_dir} PRIVATE ${MICROPROP_CORTEXM_DIR})
        string(TOUPPER ${arg_FLASH} part)
        target_compile_definitions(microprop_flash PUBLIC MICROPROP_FLASH_PART_${part})
        target_compile_features(microprop_flash PRIVATE c_std_11)
        target_link_libraries(microprop_flash PRIVATE microprop_warnings)
    endif()
    set(MICROPROP_PORT_FLASH "${arg_FLASH}" PARENT_SCOPE)
    set(MICROPROP_PORT_RAM_BYTES ${arg_RAM_BYTES} PARENT_SCOPE)
    set(MICROPROP_PORT_FLASH_BYTES ${arg_FLASH_BYTES} PARENT_SCOPE)
    # How ctest (and anyone else) runs an image of this port ("" without QEMU).
    get_target_property(emulator microprop_port MICROPROP_EMULATOR)
    set(MICROPROP_PORT_EMULATOR "${emulator}" PARENT_SCOPE)
endfunction()

function(microprop_port_post_build target)
    microprop_cortex_m_executable(${target} BOARD microprop_port)
endfunction()
