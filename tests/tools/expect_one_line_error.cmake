# ctest helper: runs `switchyard inspect INPUT` and checks that it fails with exactly one line
# "switchyard: error: ..." on stderr and nothing on stdout.
# -DEXE=<switchyard> -DINPUT=<file> [-DEMULATOR=<cmd|args>]  (EMULATOR's ';' passed as '|')
string(REPLACE "|" ";" emulator "${EMULATOR}")
execute_process(COMMAND ${emulator} ${EXE} inspect ${INPUT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
    message(FATAL_ERROR "expected a non-zero exit, got 0")
endif()
if(NOT out STREQUAL "")
    message(FATAL_ERROR "expected no stdout, got: ${out}")
endif()
if(NOT err MATCHES "^switchyard: error: [^\n]+\n$")
    message(FATAL_ERROR "expected one line 'switchyard: error: ...' on stderr, got: ${err}")
endif()
message(STATUS "ok: exit ${rc}: ${err}")
