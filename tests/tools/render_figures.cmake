# Renders SVG figures with rsvg-convert (Debian librsvg2-bin) to prove they are valid SVG.
#   cmake -DRSVG=<rsvg-convert> -DOUT=<dir> -DPROGRAMS=<a@@b> -DFIGURES=<x@@y> -P render_figures.cmake
#       runs each program with MICROPROP_FIGURES=<dir>, then renders each <dir>/<figure>.svg
#   cmake -DRSVG=... -DOUT=<dir> -DPYTHON=<python3> -DLOG_TO_SVG=<log_to_svg.py> -DPROGRAMS=<program> -P ...
#       saves the program's console output as a log, draws it with log_to_svg.py, renders that
# A figure passes when rsvg-convert exits 0 and writes a PNG file (checked by its signature).
if(NOT RSVG)
    message(FATAL_ERROR "rsvg-convert not found: install librsvg2-bin (tests/install-deps.sh)")
endif()
string(REPLACE "@@" ";" programs "${PROGRAMS}")
string(REPLACE "@@" ";" figures "${FIGURES}")
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})

if(LOG_TO_SVG)
    execute_process(COMMAND ${programs} OUTPUT_FILE ${OUT}/console.log RESULT_VARIABLE code)
    if(NOT code STREQUAL "0")
        message(FATAL_ERROR "${programs} exited with ${code}")
    endif()
    execute_process(COMMAND ${PYTHON} ${LOG_TO_SVG} ${OUT}/console.log -o ${OUT}/from_log.svg --title "from a console log"
                    RESULT_VARIABLE code)
    if(NOT code STREQUAL "0")
        message(FATAL_ERROR "log_to_svg.py failed (${code})")
    endif()
    set(figures from_log)
else()
    foreach(program IN LISTS programs)
        execute_process(COMMAND ${CMAKE_COMMAND} -E env MICROPROP_FIGURES=${OUT} ${program}
                        OUTPUT_QUIET RESULT_VARIABLE code)
        if(NOT code STREQUAL "0")
            message(FATAL_ERROR "${program} exited with ${code}")
        endif()
    endforeach()
endif()

foreach(figure IN LISTS figures)
    set(svg ${OUT}/${figure}.svg)
    if(NOT EXISTS ${svg})
        message(FATAL_ERROR "no figure ${svg}")
    endif()
    execute_process(COMMAND ${RSVG} --format=png -o ${OUT}/${figure}.png ${svg}
                    RESULT_VARIABLE code ERROR_VARIABLE errors)
    if(NOT code STREQUAL "0" OR NOT EXISTS ${OUT}/${figure}.png)
        message(FATAL_ERROR "rsvg-convert rejected ${svg} (${code}): ${errors}")
    endif()
    file(READ ${OUT}/${figure}.png signature LIMIT 8 HEX)
    if(NOT signature STREQUAL "89504e470d0a1a0a")
        message(FATAL_ERROR "${OUT}/${figure}.png is not a PNG file")
    endif()
    file(SIZE ${OUT}/${figure}.png bytes)
    message("${figure}.svg rendered: ${bytes} bytes of PNG")
endforeach()
