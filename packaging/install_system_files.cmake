# Runs at install time (install(SCRIPT)), with the final CMAKE_INSTALL_PREFIX: writes the systemd
# unit with the binary's real path and installs it and the unit's EnvironmentFile.
# DESTDIR is honoured by file(INSTALL).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(ANCHOR_SYSCONFDIR /etc)
else()
  set(ANCHOR_SYSCONFDIR "${CMAKE_INSTALL_PREFIX}/etc")
endif()
set(ANCHOR_BINDIR "${CMAKE_INSTALL_PREFIX}/${ANCHOR_INSTALL_BINDIR}")
set(ANCHOR_DOCDIR "${CMAKE_INSTALL_PREFIX}/${ANCHOR_INSTALL_DOCDIR}")

set(_unit "${ANCHOR_BINARY_DIR}/packaging/anchorbrowser_exporter.service")
configure_file("${ANCHOR_SOURCE_DIR}/packaging/anchorbrowser_exporter.service.in" "${_unit}" @ONLY)
file(INSTALL "${_unit}" DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")

# Holds the API key: readable by root only (systemd reads it before dropping privileges).
# An existing one is kept: it may hold the key already (a package upgrade keeps it as a conffile).
set(_defaults "${ANCHOR_SYSCONFDIR}/default/anchorbrowser_exporter")
if(EXISTS "$ENV{DESTDIR}${_defaults}")
  message(STATUS "Keeping: $ENV{DESTDIR}${_defaults}")
  return()
endif()
file(INSTALL "${ANCHOR_SOURCE_DIR}/packaging/anchorbrowser_exporter.default"
  DESTINATION "${ANCHOR_SYSCONFDIR}/default"
  RENAME anchorbrowser_exporter
  PERMISSIONS OWNER_READ OWNER_WRITE)
