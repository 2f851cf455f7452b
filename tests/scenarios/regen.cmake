# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerate one preset into the build tree and compare it byte for byte with the bundled copy.
# A difference means the generator or the library's encoders/emulation changed: if intended,
# run captures/regenerate.sh and review the expected.json diff.
foreach(v NLBGEN SCENARIO CAPTURES OUT)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "regen.cmake: ${v} not set")
  endif()
endforeach()
set(pcap ${OUT}/${SCENARIO}.pcap)
set(json ${OUT}/${SCENARIO}.expected.json)
execute_process(COMMAND ${NLBGEN} --scenario ${SCENARIO} -w ${pcap} --expected ${json}
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nlbgen --scenario ${SCENARIO} failed (${rc}): ${err}")
endif()
foreach(pair "${pcap}|${CAPTURES}/${SCENARIO}.pcap" "${json}|${CAPTURES}/${SCENARIO}.expected.json")
  string(REPLACE "|" ";" files "${pair}")
  list(GET files 0 got)
  list(GET files 1 want)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${got} ${want} RESULT_VARIABLE diff)
  if(NOT diff EQUAL 0)
    message(FATAL_ERROR "${got} differs from ${want}: the generator output changed; regenerate captures (captures/regenerate.sh) if intended")
  endif()
endforeach()
