# cmake -DCOMPILER=<c++> -DINCLUDE=<dir> -DSOURCE=<file.cpp> -DMODE=fails|compiles
#       [-DEXPECT=<regex>@@<regex>...] -P expect_compile_failure.cmake
# MODE=fails: passes when the compiler rejects SOURCE and its output matches every regex.
# MODE=compiles: passes when the compiler accepts SOURCE.
set(ENV{LC_ALL} C)  # plain ASCII quotes in diagnostics
execute_process(
    COMMAND ${COMPILER} -std=c++17 -fsyntax-only -fno-exceptions -fno-rtti -I${INCLUDE} ${SOURCE}
    RESULT_VARIABLE code
    OUTPUT_VARIABLE output
    ERROR_VARIABLE output)
if(MODE STREQUAL "compiles")
    if(NOT code EQUAL 0)
        message(FATAL_ERROR "${SOURCE} should compile but did not:\n${output}")
    endif()
    message("${SOURCE} compiles, as it should")
    return()
endif()
if(code EQUAL 0)
    message(FATAL_ERROR "${SOURCE} compiled, but it must not")
endif()
string(REPLACE "@@" ";" expects "${EXPECT}")
foreach(regex IN LISTS expects)
    if(NOT output MATCHES "${regex}")
        message(FATAL_ERROR "${SOURCE} failed to compile, but the output lacks `${regex}`:\n${output}")
    endif()
    message("found: ${regex}")
endforeach()
message("${SOURCE} does not compile, with the expected message")
