# Runs one image and checks how it ended (microprop_add_qemu_test in board.cmake):
#   cmake -DIMAGE=<image.elf> [-DEMULATOR=<cmd@@arg@@...>] [-DEXPECT=<regex>] -P run-image.cmake
# Fails when the program exits non-zero or, with EXPECT, when its output does not match.
# The program's whole output is echoed (and left in `output` for a script that includes this one).
cmake_minimum_required(VERSION 3.21)
string(REPLACE "@@" ";" emulator "${EMULATOR}")
execute_process(COMMAND ${emulator} ${IMAGE}
    OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE code)
message("${output}${errors}")
if(NOT code STREQUAL "0")
    message(FATAL_ERROR "${IMAGE} exited with status ${code}")
endif()
if(NOT EXPECT STREQUAL "" AND NOT output MATCHES "${EXPECT}")
    message(FATAL_ERROR "the output of ${IMAGE} does not match '${EXPECT}'")
endif()
