# SPDX-License-Identifier: GPL-2.0-or-later
# `cpack -G DEB` in a build tree: one Debian package with nlbreplay and nlbgen, nlbreplay's man
# page, libnlbproto (static library, headers, pkg-config file) under /usr, and the plugin in the
# global plugin directory of the Wireshark release this tree was configured against (an absolute
# path from WiresharkConfig.cmake / pkg-config, so the package fits that release only; the
# libwireshark soname dependency dpkg-shlibdeps computes enforces it).
set(CPACK_PACKAGE_NAME nlbproto)
set(CPACK_PACKAGE_VENDOR "nlbproto")
set(CPACK_PACKAGE_CONTACT "nlbproto maintainers <nlbproto@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Microsoft NLB cluster analysis: nlbreplay and a Wireshark plugin")
set(CPACK_PACKAGE_DESCRIPTION
 "nlbreplay replays captures (or captures live) and reports NLB clusters, hosts, heartbeat\ntimelines, the emulated owner of every flow and a plain-language diagnosis. The nlb\nWireshark/tshark plugin decodes heartbeats and annotates cluster MACs, GARP/RARP and flows.")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
# Absolute install destinations (the plugin) land under the staging root, not on this machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "tshark | wireshark")
include(CPack)
