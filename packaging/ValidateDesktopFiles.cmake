# Checks the desktop entry and the AppStream metainfo with the freedesktop.org validators.
# cmake -DDESKTOP_FILE=... -DMETAINFO_FILE=... -P ValidateDesktopFiles.cmake
# A missing validator is a failure, not a skip: cmake/setup-debian.sh installs both.
foreach(var DESKTOP_FILE METAINFO_FILE)
    if(NOT EXISTS "${${var}}")
        message(FATAL_ERROR "${var} does not exist: '${${var}}'")
    endif()
endforeach()

find_program(DESKTOP_FILE_VALIDATE desktop-file-validate)
find_program(APPSTREAMCLI appstreamcli)
if(NOT DESKTOP_FILE_VALIDATE)
    message(FATAL_ERROR "desktop-file-validate is missing (Debian package desktop-file-utils; run cmake/setup-debian.sh)")
endif()
if(NOT APPSTREAMCLI)
    message(FATAL_ERROR "appstreamcli is missing (Debian package appstream; run cmake/setup-debian.sh)")
endif()

execute_process(COMMAND "${DESKTOP_FILE_VALIDATE}" "${DESKTOP_FILE}"
                RESULT_VARIABLE desktop_result OUTPUT_VARIABLE desktop_out ERROR_VARIABLE desktop_out)
# Warnings count too: a file that only warns today is rejected by stricter stores tomorrow.
if(NOT desktop_result EQUAL 0 OR desktop_out MATCHES "(error|warning):")
    message(FATAL_ERROR "desktop-file-validate rejects ${DESKTOP_FILE}:\n${desktop_out}")
endif()

execute_process(COMMAND "${APPSTREAMCLI}" validate --no-net --strict "${METAINFO_FILE}"
                RESULT_VARIABLE appstream_result OUTPUT_VARIABLE appstream_out ERROR_VARIABLE appstream_out)
if(NOT appstream_result EQUAL 0)
    message(FATAL_ERROR "appstreamcli rejects ${METAINFO_FILE}:\n${appstream_out}")
endif()
message(STATUS "desktop entry and metainfo are valid")
