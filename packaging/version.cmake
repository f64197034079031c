# The exporter's version has one source: project(VERSION), refined by `git describe` when the
# history has a release tag (vMAJOR.MINOR.PATCH). Sets ANCHOR_VERSION and ANCHOR_REVISION, which
# reach version.h (--version, anchorbrowser_exporter_build_info, the landing page, the
# User-Agent) and CPACK_PACKAGE_VERSION.
#
#   on the tag v0.2.0, clean       -> 0.2.0
#   3 commits after it, edited     -> 0.2.0+3.gdeadbeef.dirty
#   no tag in the history          -> PROJECT_VERSION (the revision still names the commit)
#
# The forms are valid Debian and SemVer versions and sort after the tag they follow. Without
# .git (a container build context, a source tarball) pass what git printed instead:
#   -DANCHOR_GIT_DESCRIBE="$(git describe --tags --dirty --always)"
#   -DANCHOR_GIT_REVISION="$(git rev-parse --short=12 HEAD)"
set(ANCHOR_GIT_DESCRIBE "" CACHE STRING "git describe --tags --dirty --always (default: run git)")
set(ANCHOR_GIT_REVISION "" CACHE STRING "git rev-parse --short=12 HEAD (default: run git)")

set(_describe "${ANCHOR_GIT_DESCRIBE}")
set(_revision "${ANCHOR_GIT_REVISION}")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS "${CMAKE_SOURCE_DIR}/.git")
  if(NOT _describe)
    execute_process(COMMAND "${GIT_EXECUTABLE}" describe --tags --dirty --always --match "v[0-9]*"
      WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}" OUTPUT_VARIABLE _describe
      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  endif()
  if(NOT _revision)
    execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short=12 HEAD
      WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}" OUTPUT_VARIABLE _revision
      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  endif()
  # Reconfigure after a commit or a checkout, so the revision never goes stale. (Whether the
  # tree is dirty is read at configure time.)
  set(_git_dir "${CMAKE_SOURCE_DIR}/.git")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_git_dir}/HEAD")
  if(IS_DIRECTORY "${_git_dir}")
    file(READ "${_git_dir}/HEAD" _head)
    if(_head MATCHES "^ref: ([^\n]+)" AND EXISTS "${_git_dir}/${CMAKE_MATCH_1}")
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_git_dir}/${CMAKE_MATCH_1}")
    endif()
  endif()
endif()

set(ANCHOR_DESCRIBE "${_describe}")  # as git printed it; the container test passes it on
set(ANCHOR_VERSION "${PROJECT_VERSION}")
set(ANCHOR_REVISION "unknown")
if(_revision)
  set(ANCHOR_REVISION "${_revision}")
endif()
if(_describe MATCHES "^v([0-9]+\\.[0-9]+\\.[0-9]+)(-([0-9]+)-g([0-9a-f]+))?(-dirty)?$")
  set(ANCHOR_VERSION "${CMAKE_MATCH_1}")
  set(_local "")
  if(CMAKE_MATCH_3)
    list(APPEND _local "${CMAKE_MATCH_3}" "g${CMAKE_MATCH_4}")
  endif()
  if(CMAKE_MATCH_5)
    list(APPEND _local "dirty")
  endif()
  if(_local)
    list(JOIN _local "." _local)
    string(APPEND ANCHOR_VERSION "+${_local}")
  endif()
  if(NOT CMAKE_MATCH_1 VERSION_EQUAL PROJECT_VERSION)
    message(WARNING "git tag v${CMAKE_MATCH_1} differs from project(VERSION ${PROJECT_VERSION}); "
                    "the tag wins: bump project(VERSION) when tagging a release")
  endif()
endif()
message(STATUS "anchorbrowser_exporter version ${ANCHOR_VERSION} (revision ${ANCHOR_REVISION})")
