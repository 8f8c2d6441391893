# swarmscope_add_test(NAME SOURCES <files...> [LIBS <targets...>] [TIMEOUT <s>] [LABELS <labels...>])
# Adds one Qt Test executable and registers it with CTest. Tests read the shared fixtures through
# SWARMSCOPE_FIXTURES_DIR and run the command line through the SWARMSCOPE_EXECUTABLE environment variable.
# TIMEOUT (default 300 s) is multiplied by SWARMSCOPE_TEST_TIMEOUT_FACTOR: the sanitizers preset sets 3,
# because a sanitized Debug build runs several times slower.

set(SWARMSCOPE_TEST_TIMEOUT_FACTOR 1 CACHE STRING "Multiplies every test's CTest timeout (slow builds)")
function(swarmscope_add_test name)
    cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE Qt6::Test swarmscope_testsupport ${ARG_LIBS})
    swarmscope_set_warnings(${name})
    target_compile_definitions(${name} PRIVATE
        SWARMSCOPE_FIXTURES_DIR="${SWARMSCOPE_SHARED_DIR}/fixtures"
        SWARMSCOPE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    add_test(NAME ${name} COMMAND ${name})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * ${SWARMSCOPE_TEST_TIMEOUT_FACTOR}")
    set(env "QT_QPA_PLATFORM=offscreen" "SWARMSCOPE_EXECUTABLE=$<TARGET_FILE:swarmscope>")
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "${env}")
    if(ARG_LABELS)
        set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
    endif()
endfunction()
