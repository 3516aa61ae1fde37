# Runs one image and checks how it ended (microprop_add_qemu_test in board.cmake):
#   cmake -DIMAGE=<image.elf> [-DEMULATOR=<cmd@@arg@@...>] [-DEXPECT=<regex>] [-DEXPECT_EXIT=<n>] -P run-image.cmake
# Fails when the program's exit status is not EXPECT_EXIT (0 unless given) or, with EXPECT,
# when its output does not match.
# The program's whole output is echoed (and left in `output` for a script that includes this one).
cmake_minimum_required(VERSION 3.21)
string(REPLACE "@@" ";" emulator "${EMULATOR}")
execute_process(COMMAND ${emulator} ${IMAGE}
    OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE code)
message("${output}${errors}")
if(NOT DEFINED EXPECT_EXIT)
    set(EXPECT_EXIT 0)
endif()
if(NOT code STREQUAL "${EXPECT_EXIT}")
    message(FATAL_ERROR "${IMAGE} exited with status ${code} (expected ${EXPECT_EXIT})")
endif()
if(NOT EXPECT STREQUAL "" AND NOT output MATCHES "${EXPECT}")
    message(FATAL_ERROR "the output of ${IMAGE} does not match '${EXPECT}'")
endif()
