# switchyard_set_warnings(<target>): the warning set every target of ours builds with.
function(switchyard_set_warnings target)
    if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                                                 -Wno-missing-field-initializers)
        if(SWITCHYARD_WERROR)
            target_compile_options(${target} PRIVATE -Werror)
        endif()
        # GCC 12 at -O3 reports impossible overlaps inside libstdc++'s own string
        # concatenation ("literal" + std::string&&): GCC bug 105329, fixed in GCC 13. Off
        # there only, so real -Wrestrict findings still fail other compilers' builds.
        if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
            target_compile_options(${target} PRIVATE -Wno-restrict)
        endif()
    endif()
endfunction()
