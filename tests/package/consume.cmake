# How the package tests' consumer projects get microprop, one way in per MICROPROP_CONSUME:
#   find_package     an installed microprop (CMAKE_PREFIX_PATH = the install prefix; it must
#                    be found in EXPECTED_PREFIX when that is set)
#   add_subdirectory microprop's source tree (MICROPROP_SOURCE)
#   fetchcontent     FetchContent with SOURCE_DIR = MICROPROP_SOURCE
# and what no way in may do: define microprop's internal targets in the consumer.
if(MICROPROP_CONSUME STREQUAL "find_package")
    find_package(microprop 0.1 REQUIRED CONFIG)
    if(DEFINED EXPECTED_PREFIX)
        cmake_path(IS_PREFIX EXPECTED_PREFIX "${microprop_DIR}" NORMALIZE found_in_prefix)
        if(NOT found_in_prefix)
            message(FATAL_ERROR "found microprop in ${microprop_DIR}, not in the install prefix ${EXPECTED_PREFIX}")
        endif()
    endif()
    message(STATUS "microprop ${microprop_VERSION} from ${microprop_DIR}")
elseif(MICROPROP_CONSUME STREQUAL "add_subdirectory")
    add_subdirectory(${MICROPROP_SOURCE} microprop)
elseif(MICROPROP_CONSUME STREQUAL "fetchcontent")
    include(FetchContent)
    FetchContent_Declare(microprop SOURCE_DIR ${MICROPROP_SOURCE})
    FetchContent_MakeAvailable(microprop)
else()
    message(FATAL_ERROR "set MICROPROP_CONSUME to find_package, add_subdirectory or fetchcontent")
endif()

# microprop's own tests, examples and ports are for microprop alone: a consumer gets none.
foreach(target microtest microprop_port microprop_warnings example_xor)
    if(TARGET ${target})
        message(FATAL_ERROR "consuming microprop defined its internal target ${target}")
    endif()
endforeach()
