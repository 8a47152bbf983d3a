# switchyard_add_backend(<name> [VARIANT <variant>] SOURCES <files...> [LIBRARIES <libs...>]
#                        [COMPILE_OPTIONS <opts...>])
#
# Builds libswitchyard-backend-<name>[-<variant>].so as a MODULE into lib/switchyard/ of the
# build tree (where the host's build-tree discovery looks), with hidden visibility so only the
# entry symbol is exported. When <name> is listed in SWITCHYARD_STATIC_BACKENDS the same sources
# become a static library linked into the executable, exporting sy_plugin_get_entry_<id>
# instead; tools/ collects those into the static entry table.
function(switchyard_add_backend name)
    cmake_parse_arguments(ARG "" "VARIANT" "SOURCES;LIBRARIES;COMPILE_OPTIONS" ${ARGN})
    set(full ${name})
    if(ARG_VARIANT)
        set(full ${name}-${ARG_VARIANT})
    endif()
    set(target switchyard-backend-${full})
    string(MAKE_C_IDENTIFIER ${full} entry_id)

    if(name IN_LIST SWITCHYARD_STATIC_BACKENDS)
        add_library(${target} STATIC ${ARG_SOURCES})
        target_compile_definitions(${target} PRIVATE SWITCHYARD_STATIC_BACKEND=1
                                                     SY_BACKEND_ENTRY_ID=${entry_id})
        set_property(GLOBAL APPEND PROPERTY SWITCHYARD_STATIC_ENTRY_IDS ${entry_id})
        set_property(GLOBAL APPEND PROPERTY SWITCHYARD_STATIC_TARGETS ${target})
    else()
        add_library(${target} MODULE ${ARG_SOURCES})
        set_target_properties(${target} PROPERTIES
            LIBRARY_OUTPUT_DIRECTORY ${SWITCHYARD_PLUGIN_OUTPUT_DIR}
            PREFIX "lib")
        target_compile_definitions(${target} PRIVATE SY_BACKEND_ENTRY_ID=${entry_id})
        install(TARGETS ${target} LIBRARY DESTINATION lib/switchyard)
        # Export only the entry symbol (a version script hides even weak libstdc++
        # instantiations, which visibility=hidden cannot), and refuse unresolved symbols so a
        # missing function fails the build, not the load on a user's machine.
        if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
            set(map ${PROJECT_SOURCE_DIR}/cmake/plugin_exports.map)
            target_link_options(${target} PRIVATE -Wl,--version-script=${map} -Wl,--no-undefined)
            set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${map})
        endif()
        set_property(GLOBAL APPEND PROPERTY SWITCHYARD_PLUGIN_TARGETS ${target})
    endif()
    set_target_properties(${target} PROPERTIES
        CXX_VISIBILITY_PRESET hidden C_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
    target_link_libraries(${target} PRIVATE switchyard_plugin_sdk ${ARG_LIBRARIES})
    if(ARG_COMPILE_OPTIONS)
        target_compile_options(${target} PRIVATE ${ARG_COMPILE_OPTIONS})
    endif()
    switchyard_set_warnings(${target})
endfunction()
