# Install rules and the Debian package (CPack). Included from the top-level CMakeLists.txt.
#
#   cmake --install build [--prefix /usr]        cpack -G DEB   (from the build directory)
#
#   <prefix>/bin/anchorbrowser_exporter
#   <prefix>/share/doc/anchorbrowser_exporter/{config.example.yaml,web-config.example.yml,README.md}
#   <prefix>/share/anchorbrowser_exporter/dashboards/...        (whatever dashboards/ holds)
#   <prefix>/lib/systemd/system/anchorbrowser_exporter.service
#   <sysconfdir>/default/anchorbrowser_exporter                 (the unit's EnvironmentFile)
#
# <sysconfdir> is /etc for the prefix /usr (the package) and <prefix>/etc otherwise. The unit
# and the defaults file are laid out when installing, not when configuring, because cpack
# installs with the prefix /usr whatever the build was configured with.
include(GNUInstallDirs)
# Packaging takes what was built and never builds: `cpack` otherwise runs the whole build first,
# and the package test (run by ctest) would relink the test binaries under the tests running
# beside it whenever a commit changed the revision since the last build. Build, then package.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS anchorbrowser_exporter RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES config.example.yaml web-config.example.yml packaging/README.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR})
if(EXISTS ${CMAKE_SOURCE_DIR}/dashboards)
  install(DIRECTORY dashboards/
    DESTINATION ${CMAKE_INSTALL_DATADIR}/anchorbrowser_exporter/dashboards)
endif()

install(CODE "
  set(ANCHOR_SOURCE_DIR \"${CMAKE_SOURCE_DIR}\")
  set(ANCHOR_BINARY_DIR \"${CMAKE_BINARY_DIR}\")
  set(ANCHOR_INSTALL_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
  set(ANCHOR_INSTALL_DOCDIR \"${CMAKE_INSTALL_DOCDIR}\")
")
install(SCRIPT packaging/install_system_files.cmake)

# --- Debian package ---------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME anchorbrowser-exporter)  # Debian names allow no '_'
set(CPACK_PACKAGE_VERSION ${ANCHOR_VERSION})
set(CPACK_PACKAGE_VENDOR "anchorbrowser_exporter developers")
set(CPACK_PACKAGE_CONTACT "anchorbrowser_exporter developers <dev@anchorbrowser-exporter.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Prometheus exporter for Anchor Browser batch sessions")
set(CPACK_PACKAGE_DESCRIPTION
  "Exports the progress and outcome of Anchor Browser batch sessions as Prometheus metrics.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The shared-library dependencies come from dpkg-shlibdeps (dpkg-dev) on the built binary;
# ca-certificates is the default trust store for the API's TLS certificate.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)  # debug info stays in the build tree
include(CPack)
