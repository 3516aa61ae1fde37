# Post-build proof that an image links no heap:
#   cmake -DNM=<arm-none-eabi-nm> -DIMAGE=<elf> -P check-no-heap.cmake
# Fails (and deletes the image, so the next build re-links and re-checks) when
# the symbol table holds an allocator, operator new, _sbrk or the `end` symbol
# _sbrk grows the heap from.
cmake_minimum_required(VERSION 3.21)
execute_process(COMMAND ${NM} ${IMAGE} OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "no-heap check: '${NM} ${IMAGE}' failed (${rc})")
endif()
set(forbidden malloc _malloc_r calloc _calloc_r realloc _realloc_r free _free_r
    _sbrk _sbrk_r sbrk end _end __end__)
string(REPLACE "\n" ";" lines "${symbols}")
set(found "")
foreach(line IN LISTS lines)
    # "<address> <type> <name>" or "         U <name>"
    if(line MATCHES "^[0-9a-fA-F ]+ [A-Za-z] ([^ ]+)$")
        set(name ${CMAKE_MATCH_1})
        if(name IN_LIST forbidden OR name MATCHES "^_Zn[wa]j")
            list(APPEND found ${name})
        endif()
    endif()
endforeach()
if(found)
    list(REMOVE_DUPLICATES found)
    list(JOIN found " " found_text)
    file(REMOVE ${IMAGE})
    # Unwrapped, one line (message() re-flows long text).
    execute_process(COMMAND ${CMAKE_COMMAND} -E echo
        "no-heap check failed: ${IMAGE} contains: ${found_text}")
    message(FATAL_ERROR "microprop images must not allocate (ports/cortex-m/check-no-heap.cmake). "
        "Find who pulls a symbol in by relinking with -Wl,--trace-symbol=<symbol> or reading the .map file.")
endif()
