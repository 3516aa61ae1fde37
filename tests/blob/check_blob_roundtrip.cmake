# Runs tests/blob/blob_dump (through the port's emulator when cross-compiling) and checks
# every `blob layers=<layers> hex=<bytes>` line it prints with the host script:
#   microprop_blob.py roundtrip decodes the blob, verifies its CRC-32 and its topology hash
#   (computed by the script from <layers>), re-encodes it and fails unless the bytes match.
# A copy with one byte changed must be refused (the check can fail).
#   cmake -DPROGRAM=<image> [-DEMULATOR=<cmd@@arg@@...>] -DPYTHON=<python3> -DSCRIPT=<microprop_blob.py>
#         -DWORK_DIR=<dir> -DEXPECTED=<number of blobs> -P check_blob_roundtrip.cmake
# Runs the program, echoes its output and fails on a non-zero exit; leaves the output in `output`.
set(IMAGE ${PROGRAM})
include(${CMAKE_CURRENT_LIST_DIR}/../../ports/cortex-m/run-image.cmake)
string(REGEX MATCHALL "blob layers=[^ \r\n]+ hex=[0-9a-f]+" blobs "${output}")
list(LENGTH blobs count)
if(NOT count EQUAL EXPECTED)
    message(FATAL_ERROR "${count} blob lines in the output, ${EXPECTED} expected")
endif()
file(MAKE_DIRECTORY ${WORK_DIR})
set(index 0)
foreach(line IN LISTS blobs)
    string(REGEX MATCH "layers=([^ ]+) hex=([0-9a-f]+)" unused "${line}")
    set(layers ${CMAKE_MATCH_1})
    set(hex ${CMAKE_MATCH_2})
    set(file ${WORK_DIR}/blob_${index}.hex)
    file(WRITE ${file} "${hex}")
    execute_process(COMMAND ${PYTHON} ${SCRIPT} roundtrip ${file} --layers ${layers}
        OUTPUT_VARIABLE checked ERROR_VARIABLE check_errors RESULT_VARIABLE check_code)
    message("blob ${index} (${layers}):\n${checked}${check_errors}")
    if(NOT check_code STREQUAL "0")
        message(FATAL_ERROR "blob ${index}: the host script did not verify it")
    endif()
    # The same blob with its 41st byte (a parameter) changed: the CRC must catch it.
    string(SUBSTRING "${hex}" 0 80 head)
    string(SUBSTRING "${hex}" 80 2 byte)
    string(SUBSTRING "${hex}" 82 -1 tail)
    if(byte STREQUAL "00")
        set(byte "01")
    else()
        set(byte "00")
    endif()
    file(WRITE ${file}.bad "${head}${byte}${tail}")
    execute_process(COMMAND ${PYTHON} ${SCRIPT} roundtrip ${file}.bad --layers ${layers}
        OUTPUT_QUIET ERROR_VARIABLE bad_errors RESULT_VARIABLE bad_code)
    if(bad_code STREQUAL "0")
        message(FATAL_ERROR "blob ${index}: a changed byte was not noticed")
    endif()
    message("blob ${index} with byte 40 changed: refused (${bad_errors})")
    math(EXPR index "${index} + 1")
endforeach()
message("${count} blobs from the device decoded, verified and re-encoded byte for byte")
