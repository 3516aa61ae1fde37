# Links programs (tests, examples, benchmarks) against the board port named by MICROPROP_PORT.
#
# ports/<board>/port.cmake defines the target `microprop_port` (startup, console, counter,
# exit) and may set MICROPROP_PORT_RAM_BYTES. Everything here is for microprop's own
# programs (warnings as errors, the boards under ports/): consumers never see it. Firmware
# outside the tree builds its own board with the public functions and targets of
# ports/cortex-m/board.cmake, which the Cortex-M ports here are built with too (ports/README.md).

add_library(microprop_warnings INTERFACE)
target_compile_options(microprop_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Werror
    $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti>)

# tests/footprint/footprint.sh: GCC writes each object's call graph with frame sizes (.ci),
# from which tests/footprint/stack_usage.py computes the worst-case stack.
option(MICROPROP_STACK_USAGE "Write call-graph and stack-usage info (-fcallgraph-info=su) for every object" OFF)
if(MICROPROP_STACK_USAGE)
    target_compile_options(microprop_warnings INTERFACE -fcallgraph-info=su)
endif()

set(MICROPROP_PORT_DIR ${CMAKE_CURRENT_LIST_DIR}/${MICROPROP_PORT})
if(NOT EXISTS ${MICROPROP_PORT_DIR}/port.cmake)
    message(FATAL_ERROR "MICROPROP_PORT='${MICROPROP_PORT}' has no ports/${MICROPROP_PORT}/port.cmake")
endif()
include(${MICROPROP_PORT_DIR}/port.cmake)
target_link_libraries(microprop_port PUBLIC microprop::port)

# microprop_add_program(<target> <sources>...): an executable for the selected port.
function(microprop_add_program target)
    add_executable(${target} ${ARGN})
    target_link_libraries(${target} PRIVATE microprop::microprop microprop_port microprop_warnings)
    if(COMMAND microprop_port_post_build)
        microprop_port_post_build(${target})
    endif()
endfunction()
