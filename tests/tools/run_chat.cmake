# ctest helper: `switchyard run -cnv` with turns from a file. Checks the exit code, one "> "
# prompt per turn plus the last one, a non-empty reply after each turn, and the timings line.
#   -DEXE=<switchyard> -DARGS=<a|b|c> -DINPUT=<file of turns> [-DEMULATOR=<cmd|args>]
string(REPLACE "|" ";" emulator "${EMULATOR}")
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND ${emulator} ${EXE} run ${args} -cnv INPUT_FILE ${INPUT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 300)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "exit ${rc}\nstdout: ${out}\nstderr: ${err}")
endif()
string(REGEX MATCHALL "\n> " prompts "${out}")
list(LENGTH prompts n_prompts)
if(NOT n_prompts EQUAL 3)
    message(FATAL_ERROR "expected 3 prompts (2 turns + end), got ${n_prompts}:\n${out}")
endif()
if(NOT out MATCHES "\n> [^\n>]+\n> [^\n>]+")
    message(FATAL_ERROR "a turn got no reply:\n${out}")
endif()
if(NOT err MATCHES "generation: +[1-9][0-9]* tokens")
    message(FATAL_ERROR "no generation timings on stderr:\n${err}")
endif()
message(STATUS "ok:\n${out}")
