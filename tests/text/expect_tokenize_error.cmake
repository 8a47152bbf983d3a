# ctest helper: runs `switchyard tokenize -m MODEL -p x` and checks that it fails with exactly
# one line "switchyard: error: ..." on stderr and nothing on stdout.
# -DEXE=<switchyard> -DMODEL=<file> [-DEMULATOR=<cmd|args>]  (EMULATOR's ';' passed as '|')
string(REPLACE "|" ";" emulator "${EMULATOR}")
execute_process(COMMAND ${emulator} ${EXE} tokenize -m ${MODEL} -p x
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1)
    message(FATAL_ERROR "expected exit code 1, got ${rc}")
endif()
if(NOT out STREQUAL "")
    message(FATAL_ERROR "expected no stdout, got: ${out}")
endif()
if(NOT err MATCHES "^switchyard: error: [^\n]+\n$")
    message(FATAL_ERROR "expected one line 'switchyard: error: ...' on stderr, got: ${err}")
endif()
message(STATUS "ok: exit ${rc}: ${err}")
