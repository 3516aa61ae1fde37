# ctest check: runs the W2 benchmark image and fails when per-sample SGD needs more
# than 2% more instructions than the committed baseline (counts under QEMU -icount
# are deterministic, so any growth is a real change).
#   cmake -DRUN="<emulator;args>" -DIMAGE=<bench_w2.elf> -DBASELINE=<baseline_m4f.txt> -P check_regression.cmake
execute_process(COMMAND ${RUN} ${IMAGE} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
message("${out}")
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "bench image failed (exit status ${rc})")
endif()
file(STRINGS ${BASELINE} lines REGEX "^W2 sgd ")
if(NOT lines)
    message(FATAL_ERROR "${BASELINE} has no 'W2 sgd <instructions>' line")
endif()
list(GET lines 0 line)
string(REGEX REPLACE "^W2 sgd ([0-9.]+).*" "\\1" baseline "${line}")
string(REGEX MATCH "workload=W2 mode=sgd insn_per_sample=([0-9.]+)" found "${out}")
if(NOT found)
    message(FATAL_ERROR "no 'workload=W2 mode=sgd insn_per_sample=' line in the output")
endif()
set(measured ${CMAKE_MATCH_1})
# Compare in tenths of an instruction with integer arithmetic.
string(REPLACE "." "" m10 "${measured}")
string(REPLACE "." "" b10 "${baseline}")
math(EXPR limit "${b10} * 102 / 100")
message("W2 per-sample SGD: ${measured} instructions, baseline ${baseline}, limit ${limit} tenths")
if(m10 GREATER limit)
    message(FATAL_ERROR "W2 per-sample SGD regressed: ${measured} > ${baseline} + 2%")
endif()
