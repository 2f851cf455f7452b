# SPDX-License-Identifier: GPL-2.0-or-later
# Wireshark's built-in msnlb dissector is an independent reader of our heartbeats: it must find
# every one of them (and, in lookalike, the foreign 0x886F frames it also claims) without
# Error or Malformed expert entries.
foreach(v TSHARK SCENARIO CAPTURES)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "tshark_check.cmake: ${v} not set")
  endif()
endforeach()
set(pcap ${CAPTURES}/${SCENARIO}.pcap)
file(READ ${CAPTURES}/${SCENARIO}.expected.json json)
string(JSON hb GET "${json}" counts heartbeats)
string(JSON hbx GET "${json}" counts heartbeats_extended)
string(JSON foreign GET "${json}" counts foreign_886f)
math(EXPR want "${hb} + ${hbx} + ${foreign}")
# --disable-protocol nlb: once our plugin is installed globally it takes 0x886F over from the
# built-in msnlb dissector, which is the one this check is about. Only when nlb is there:
# tshark 4.4 refuses (exit 1) to disable a protocol it does not know.
execute_process(COMMAND ${TSHARK} -G protocols OUTPUT_VARIABLE protos ERROR_QUIET)
set(disable)
if(protos MATCHES "	nlb
")
  set(disable --disable-protocol nlb)
endif()

execute_process(COMMAND ${TSHARK} -n ${disable} -r ${pcap} -z expert -q
  OUTPUT_VARIABLE expert ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tshark -z expert failed on ${pcap}: ${err}")
endif()
if(expert MATCHES "Errors \\(|Malformed")
  message(FATAL_ERROR "tshark reports problems in ${pcap}:\n${expert}")
endif()

execute_process(COMMAND ${TSHARK} -n ${disable} -r ${pcap} -Y msnlb -T fields -e frame.number
  OUTPUT_VARIABLE frames ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tshark -Y msnlb failed on ${pcap}: ${err}")
endif()
string(REGEX MATCHALL "[0-9]+\n" lines "${frames}")
list(LENGTH lines got)
if(NOT got EQUAL want)
  message(FATAL_ERROR "${pcap}: tshark sees ${got} msnlb frames, expected.json says ${hb} heartbeats + ${hbx} extended + ${foreign} foreign 0x886F = ${want}")
endif()
message(STATUS "${SCENARIO}: ${got} msnlb frames, no expert errors")
