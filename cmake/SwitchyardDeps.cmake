# Third-party dependencies, all from Debian packages (see README "Dependencies").
#
# Host builds use the packages' CMake configs. Cross builds (riscv64) cannot link the
# host's compiled libraries, so they use the header-only libraries' headers from the host
# (architecture-independent), and build GoogleTest from the source Debian ships in
# /usr/src/googletest. Either way the targets below exist:
#   sy::boost_dll  sy::fmt  sy::cli11  sy::json  GTest::gtest  GTest::gtest_main
find_package(Threads REQUIRED)

if(CMAKE_CROSSCOMPILING)
    set(_sy_host_headers ${CMAKE_BINARY_DIR}/host-headers)
    file(MAKE_DIRECTORY ${_sy_host_headers})
    foreach(dir boost fmt CLI nlohmann)
        if(NOT EXISTS /usr/include/${dir})
            message(FATAL_ERROR "cross build needs host headers /usr/include/${dir} (run ci/setup)")
        endif()
        file(CREATE_LINK /usr/include/${dir} ${_sy_host_headers}/${dir} SYMBOLIC)
    endforeach()
    add_library(sy_host_headers INTERFACE)
    target_include_directories(sy_host_headers SYSTEM INTERFACE ${_sy_host_headers})

    add_library(sy::boost_dll INTERFACE IMPORTED)
    target_link_libraries(sy::boost_dll INTERFACE sy_host_headers ${CMAKE_DL_LIBS})
    add_library(sy::fmt INTERFACE IMPORTED)
    target_link_libraries(sy::fmt INTERFACE sy_host_headers)
    target_compile_definitions(sy::fmt INTERFACE FMT_HEADER_ONLY=1)
    add_library(sy::cli11 INTERFACE IMPORTED)
    target_link_libraries(sy::cli11 INTERFACE sy_host_headers)
    add_library(sy::json INTERFACE IMPORTED)
    target_link_libraries(sy::json INTERFACE sy_host_headers)

    if(SWITCHYARD_BUILD_TESTS)
        set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
        set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
        add_subdirectory(/usr/src/googletest ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL)
    endif()
else()
    find_package(Boost 1.74 REQUIRED)
    find_package(fmt REQUIRED)
    find_package(CLI11 REQUIRED)
    find_package(nlohmann_json 3.10 REQUIRED)
    add_library(sy::boost_dll INTERFACE IMPORTED)
    target_link_libraries(sy::boost_dll INTERFACE Boost::headers ${CMAKE_DL_LIBS})
    add_library(sy::fmt INTERFACE IMPORTED)
    target_link_libraries(sy::fmt INTERFACE fmt::fmt)
    add_library(sy::cli11 INTERFACE IMPORTED)
    target_link_libraries(sy::cli11 INTERFACE CLI11::CLI11)
    add_library(sy::json INTERFACE IMPORTED)
    target_link_libraries(sy::json INTERFACE nlohmann_json::nlohmann_json)
    if(SWITCHYARD_BUILD_TESTS)
        find_package(GTest REQUIRED)
    endif()
endif()

# Boost.DLL on top of std::filesystem, so no compiled Boost library is needed.
target_compile_definitions(sy::boost_dll INTERFACE BOOST_DLL_USE_STD_FS=1)
