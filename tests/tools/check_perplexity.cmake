# ctest helper: runs `switchyard perplexity ARGS...` and checks its "Final estimate" line
# against the figure ik_llama.cpp's llama-perplexity printed for the same model, text and
# options (the oracle), within a relative tolerance.
#   -DEXE=<switchyard> -DARGS=<a|b|c> -DEXPECTED=<ppl with 4 decimals> -DCHUNKS=<n>
#   [-DREL_TOL_PPM=<parts per million, default 1000>] [-DEMULATOR=<cmd|args>]
# CMake has integer arithmetic only: both figures are compared in units of 1e-4.
string(REPLACE "|" ";" emulator "${EMULATOR}")
string(REPLACE "|" ";" args "${ARGS}")
if(NOT DEFINED REL_TOL_PPM)
    set(REL_TOL_PPM 1000)
endif()
execute_process(COMMAND ${emulator} ${EXE} perplexity ${args}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "exit ${rc}\nstdout: ${out}\nstderr: ${err}")
endif()
if(NOT out MATCHES "Final estimate: PPL over ([0-9]+) chunks for n_ctx=[0-9]+ = ([0-9]+)\\.([0-9][0-9][0-9][0-9]) \\+/- ")
    message(FATAL_ERROR "no 'Final estimate' line in:\n${out}")
endif()
set(chunks ${CMAKE_MATCH_1})
set(got "${CMAKE_MATCH_2}${CMAKE_MATCH_3}")
string(REPLACE "." "" want "${EXPECTED}")
if(NOT chunks EQUAL CHUNKS)
    message(FATAL_ERROR "expected ${CHUNKS} chunks, got ${chunks}")
endif()
math(EXPR diff "${got} - ${want}")
if(diff LESS 0)
    math(EXPR diff "0 - ${diff}")
endif()
# |got - want| / want <= tol  <=>  diff * 1e6 <= want * tol_ppm
math(EXPR lhs "${diff} * 1000000")
math(EXPR rhs "${want} * ${REL_TOL_PPM}")
if(lhs GREATER rhs)
    message(FATAL_ERROR "PPL ${CMAKE_MATCH_2}.${CMAKE_MATCH_3} differs from the oracle's ${EXPECTED} by more than ${REL_TOL_PPM} ppm")
endif()
message(STATUS "ok: PPL ${CMAKE_MATCH_2}.${CMAKE_MATCH_3} vs oracle ${EXPECTED} (|diff| ${diff}e-4)")
