# Install rules and the Debian package (CPack, DEB generator). scripts/package builds the .deb;
# scripts/install installs from source; docs/install.md describes the layout.
#
# The package lays out (CPACK_PACKAGING_INSTALL_PREFIX /usr):
#   /usr/bin/rollcalld                        the daemon (daemon/CMakeLists.txt)
#   /etc/rollcall/rollcall.toml               config/rollcall.toml, a conffile (kept on upgrade)
#   /usr/lib/systemd/system/rollcalld.service the unit in systemd/
#   /usr/share/doc/rollcall/                  README, docs/*.md, sql/*.sql, copyright, examples/rollcall.toml
# Maintainer scripts (user, permissions, enable, start once configured): scripts/debian/.

# The unit names ExecStart=/usr/bin/rollcalld: relative to the prefix, so that a /usr/local
# install puts it where systemd also looks (scripts/install rewrites ExecStart for that case).
install(FILES systemd/rollcalld.service DESTINATION lib/systemd/system COMPONENT unit)

# The configuration always goes to /etc/rollcall (the unit reads it there), and never replaces
# an existing file: `cmake --install` over an edited configuration leaves it alone, like dpkg
# does for a conffile. The directory is created 0750 (the file 0640): the configuration may hold
# secrets; the maintainer scripts then give both to the group rollcall.
install(CODE "set(rollcall_conf_src [[${PROJECT_SOURCE_DIR}/config/rollcall.toml]])" COMPONENT config)
install(
  CODE [[
  set(conf_dir "/etc/rollcall")
  if(NOT EXISTS "$ENV{DESTDIR}${conf_dir}")
    file(MAKE_DIRECTORY "$ENV{DESTDIR}${conf_dir}")
    file(CHMOD "$ENV{DESTDIR}${conf_dir}"
         PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE)
  endif()
  if(EXISTS "$ENV{DESTDIR}${conf_dir}/rollcall.toml")
    message(STATUS "Keeping: $ENV{DESTDIR}${conf_dir}/rollcall.toml (never overwritten)")
  else()
    file(INSTALL DESTINATION "${conf_dir}" TYPE FILE FILES "${rollcall_conf_src}"
         PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
  endif()
]]
  COMPONENT config)

file(GLOB rollcall_docs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES README.md ${rollcall_docs} scripts/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT doc)
# The roles and grants docs/operations-database.md runs with psql.
file(GLOB rollcall_sql CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/sql/*.sql)
install(FILES ${rollcall_sql} DESTINATION ${CMAKE_INSTALL_DOCDIR}/sql COMPONENT doc)
# The pristine configuration, to compare an edited /etc/rollcall/rollcall.toml with.
install(FILES config/rollcall.toml DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples COMPONENT doc)
# The web page's assets are compiled into rollcalld (daemon/embed_web.cmake): nothing to install.

set(ROLLCALL_PACKAGE_MAINTAINER "rollcall maintainers <rollcall@example.org>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME rollcall)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${ROLLCALL_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "session reminders, attendance and absence alerts for clinics")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Debug builds carry debug information; the package does not.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # rollcall_0.1.0-1_amd64.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# CPack puts the summary above this as the first line.
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
       "rollcalld keeps a clinic's calendar of group and individual sessions, reminds\n"
       "clients of each session by SMS or email, records attendance and alerts staff\n"
       "when a client misses sessions. It runs as a hardened systemd service with its\n"
       "own embedded PostgreSQL cluster, or against an existing PostgreSQL server.")
# Libraries come from dpkg-shlibdeps (dpkg-dev). Beside them: initdb and pg_ctl for the
# embedded cluster (database.postgres_bin_dir picks another build), gawk with pnc's gawkpn
# extension for phone numbers (daemon/src/rollcall/phone), the CA store for HTTPS deliveries,
# and adduser for the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "postgresql, gawk, pnc, ca-certificates, adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/scripts/debian/conffiles ${PROJECT_SOURCE_DIR}/scripts/debian/postinst
    ${PROJECT_SOURCE_DIR}/scripts/debian/prerm ${PROJECT_SOURCE_DIR}/scripts/debian/postrm)
# Maintainer scripts 0755 and conffiles 0644 in the control archive, whatever the checkout has.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
