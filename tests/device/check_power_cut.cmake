# Runs the power-cut image and checks its summary line and exit status.
#   cmake -DPROGRAM=<image> -DEMULATOR=<cmd@@arg@@...> [-DMIN_CUTS=1000] [-DSUMMARY_FILE=<file>]
#         -P check_power_cut.cmake
# Passes when the program exits 0 and prints
# "power-cut on device: N cut points, 0 lost, 0 mixed" with N >= MIN_CUTS.
# The summary line is also written to SUMMARY_FILE (tests/ci-targets.sh shows it).
if(NOT DEFINED MIN_CUTS)
    set(MIN_CUTS 1000)
endif()
if(DEFINED SUMMARY_FILE)
    file(REMOVE "${SUMMARY_FILE}")  # no stale line from an earlier run
endif()
string(REPLACE "@@" ";" emulator "${EMULATOR}")
execute_process(COMMAND ${emulator} ${PROGRAM}
    OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE code)
message("${output}${errors}")
if(NOT output MATCHES "power-cut on device: ([0-9]+) cut points, ([0-9]+) lost, ([0-9]+) mixed")
    message(FATAL_ERROR "no `power-cut on device: N cut points, L lost, M mixed` line in the output")
endif()
if(DEFINED SUMMARY_FILE)
    file(WRITE "${SUMMARY_FILE}" "${CMAKE_MATCH_0}\n")
endif()
set(cuts ${CMAKE_MATCH_1})
set(lost ${CMAKE_MATCH_2})
set(mixed ${CMAKE_MATCH_3})
if(cuts LESS MIN_CUTS)
    message(FATAL_ERROR "only ${cuts} cut points tried (at least ${MIN_CUTS} wanted)")
endif()
if(NOT lost EQUAL 0 OR NOT mixed EQUAL 0)
    message(FATAL_ERROR "${lost} models lost and ${mixed} mixed in ${cuts} power cuts")
endif()
if(NOT code STREQUAL "0")
    message(FATAL_ERROR "the image exited with status ${code}")
endif()
message("power cut: ${cuts} cut points, none lost or mixed: ok")
