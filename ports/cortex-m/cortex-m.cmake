# Build rules shared by the Cortex-M board ports. A board's port.cmake includes
# this file and calls microprop_cortexm_port(); see ports/mps2-an386/port.cmake.
#
# microprop_cortexm_port(
#     CPU <core>              toolchain the board needs (toolchains/<core>.cmake)
#     MEMORY <memory.ld>      the board's MEMORY regions; INCLUDEs sections.ld
#     RAM_BYTES <n>           RAM for static data + stack (MICROPROP_PORT_RAM_BYTES)
#     FLASH_BYTES <n>         flash for code + constants (MICROPROP_PORT_FLASH_BYTES)
#     SOURCES <files>...      board code implementing ports/port.h
#     [DEFINITIONS <defs>...] compile definitions for the board code
#     [IRQS <n>]              external interrupt lines in the vector table (default 32)
#     [QEMU_MACHINE <m>]      qemu-system-arm -M value: ctest runs the images there
#     [QEMU_CPU <c>]          qemu-system-arm -cpu value
#     [FLASH <part>])         flash driver for the region memory.ld reserves
#                             (nrf51, nrf52840, stm32f4, ram_nor; ports/flash/README.md)
#
# It defines the OBJECT library microprop_port (startup + board code; its
# objects go straight into every image, so the vector table cannot be dropped
# by archive member selection) and microprop_port_post_build(<target>), which
# microprop_add_program() calls for every image: .elf suffix, linker script,
# map file, .bin and .hex, the no-heap check and the QEMU runner for ctest.
#
# With FLASH it also defines the STATIC library microprop_flash (the part's C
# driver, ports/flash/region_flash.hpp's part selection and, where the board
# has one, the power-cut timer of ports/flash/power_cut.h) that programs
# using persistent storage link, and sets MICROPROP_PORT_FLASH to the part.

set(MICROPROP_CORTEXM_DIR ${CMAKE_CURRENT_LIST_DIR})
set(MICROPROP_QEMU_RUNNER ${CMAKE_CURRENT_LIST_DIR}/../../tests/qemu/run-qemu.sh)
cmake_path(NORMAL_PATH MICROPROP_QEMU_RUNNER)

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
    # -DCMAKE_CXX_FLAGS=... (or _C_, _EXE_LINKER_) on the command line replaces the
    # toolchain's *_FLAGS_INIT, CPU flags included: put them back for our programs.
    separate_arguments(cpu_flags UNIX_COMMAND "${MICROPROP_CPU_FLAGS}")
    list(GET cpu_flags 0 mcpu)
    foreach(var CMAKE_C_FLAGS CMAKE_CXX_FLAGS)
        if(NOT " ${${var}} " MATCHES " ${mcpu} ")
            message(STATUS "microprop: ${var} lacks the toolchain's CPU flags; adding ${MICROPROP_CPU_FLAGS}")
            add_compile_options(${cpu_flags} -ffunction-sections -fdata-sections
                $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions$<SEMICOLON>-fno-rtti$<SEMICOLON>-fno-threadsafe-statics>)
            break()
        endif()
    endforeach()
    if(NOT " ${CMAKE_EXE_LINKER_FLAGS} " MATCHES " ${mcpu} ")
        message(STATUS "microprop: CMAKE_EXE_LINKER_FLAGS lacks the toolchain's flags; adding them")
        add_link_options(${cpu_flags} --specs=nano.specs -Wl,--gc-sections)
    endif()
    if(NOT arg_IRQS)
        set(arg_IRQS 32)
    endif()

    add_library(microprop_port OBJECT ${MICROPROP_CORTEXM_DIR}/startup.c ${arg_SOURCES})
    target_include_directories(microprop_port PRIVATE ${MICROPROP_CORTEXM_DIR})
    target_compile_definitions(microprop_port PRIVATE CORTEXM_IRQ_COUNT=${arg_IRQS} ${arg_DEFINITIONS}
        $<$<BOOL:${MICROPROP_PORT_REPORT_STACK}>:CORTEXM_REPORT_STACK=1>)
    target_compile_features(microprop_port PRIVATE c_std_11)
    target_link_libraries(microprop_port PRIVATE microprop_warnings)
    target_link_options(microprop_port INTERFACE
        -nostartfiles -L${MICROPROP_CORTEXM_DIR} -T${arg_MEMORY})

    # Shows that the no-heap check works: an image that calls malloc and
    # operator new must fail to build with the check's message.
    if(MICROPROP_BUILD_TESTS)
        add_executable(microprop_heap_selftest EXCLUDE_FROM_ALL ${MICROPROP_CORTEXM_DIR}/heap_selftest.cpp)
        target_link_libraries(microprop_heap_selftest PRIVATE microprop_port)
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
    set(MICROPROP_PORT_LINKER_SCRIPTS ${arg_MEMORY} ${MICROPROP_CORTEXM_DIR}/sections.ld PARENT_SCOPE)
    if(arg_QEMU_MACHINE)
        set(emulator ${MICROPROP_QEMU_RUNNER} --machine ${arg_QEMU_MACHINE})
        if(arg_QEMU_CPU)
            list(APPEND emulator --cpu ${arg_QEMU_CPU})
        endif()
        # How ctest (and anyone else) runs an image of this port.
        set(MICROPROP_PORT_EMULATOR ${emulator} PARENT_SCOPE)
    else()
        set(MICROPROP_PORT_EMULATOR "" PARENT_SCOPE)
    endif()
endfunction()

function(microprop_port_post_build target)
    set(dir $<TARGET_FILE_DIR:${target}>)
    set_target_properties(${target} PROPERTIES
        SUFFIX .elf
        LINK_DEPENDS "${MICROPROP_PORT_LINKER_SCRIPTS}")
    target_link_options(${target} PRIVATE -Wl,-Map=${dir}/${target}.map)
    if(MICROPROP_PORT_EMULATOR AND NOT CMAKE_CROSSCOMPILING_EMULATOR)
        set_target_properties(${target} PROPERTIES CROSSCOMPILING_EMULATOR "${MICROPROP_PORT_EMULATOR}")
    endif()
    add_custom_command(TARGET ${target} POST_BUILD
        COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} -DIMAGE=$<TARGET_FILE:${target}>
                -P ${MICROPROP_CORTEXM_DIR}/check-no-heap.cmake
        COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:${target}> ${dir}/${target}.bin
        COMMAND ${CMAKE_OBJCOPY} -O ihex $<TARGET_FILE:${target}> ${dir}/${target}.hex
        BYPRODUCTS ${CMAKE_CURRENT_BINARY_DIR}/${target}.bin ${CMAKE_CURRENT_BINARY_DIR}/${target}.hex
        COMMENT "${target}: no-heap check, ${target}.bin, ${target}.hex"
        VERBATIM)
endfunction()
