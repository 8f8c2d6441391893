# Warning and sanitizer flags shared by every Swarmscope target.

function(swarmscope_set_warnings target)
    if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Wcast-align -Wunused
                                                 -Woverloaded-virtual)
        if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
            target_compile_options(${target} PRIVATE -Wshadow=local)
        else()
            target_compile_options(${target} PRIVATE -Wshadow-uncaptured-local)
        endif()
        if(SWARMSCOPE_WERROR)
            target_compile_options(${target} PRIVATE -Werror)
        endif()
    endif()
    target_compile_definitions(${target} PRIVATE QT_NO_CAST_FROM_ASCII QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
                                                 QT_USE_QSTRINGBUILDER)
endfunction()

if(SWARMSCOPE_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
endif()

# Fuzzing (clang only): every library is built with coverage instrumentation for libFuzzer and with ASan and
# UBSan; the fuzz executables in tests/fuzz add -fsanitize=fuzzer, which links libFuzzer's main(). Q_ASSERT and
# assert() stay on even in this optimised build (they come after Qt's -DQT_NO_DEBUG and CMake's -DNDEBUG on the
# command line): a broken invariant is exactly what a fuzzer is for, and Qt's containers check their indices.
if(SWARMSCOPE_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "SWARMSCOPE_FUZZ needs clang (libFuzzer); configure with -DCMAKE_CXX_COMPILER=clang++")
    endif()
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                        -fno-sanitize-recover=undefined -UQT_NO_DEBUG -UNDEBUG)
    add_link_options(-fsanitize=address,undefined)
endif()
