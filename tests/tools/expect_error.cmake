# ctest helper: runs `switchyard ARGS...`, expects a non-zero exit and stderr matching MATCH
# (a regex; the message must name what is wrong), and no crash or hang.
#   -DEXE=<switchyard> -DARGS=<a|b|c> -DMATCH=<regex> [-DEMULATOR=<cmd|args>]
string(REPLACE "|" ";" emulator "${EMULATOR}")
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND ${emulator} ${EXE} ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                TIMEOUT 120)
if(rc EQUAL 0 OR NOT rc MATCHES "^[0-9]+$" OR rc GREATER 125)
    message(FATAL_ERROR "expected a clean non-zero exit, got '${rc}'\nstdout: ${out}\nstderr: ${err}")
endif()
if(NOT err MATCHES "${MATCH}")
    message(FATAL_ERROR "stderr does not match '${MATCH}':\n${err}")
endif()
message(STATUS "ok: exit ${rc}: ${err}")
