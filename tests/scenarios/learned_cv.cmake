# SPDX-License-Identifier: GPL-2.0-or-later
# Generate a capture whose answers disagree with the emulation (nlbgen GEN_ARGS, a ';' list),
# then cross-validate the learned owners on it (test_learned_cv CAPTURE AFFINITY KIND).
foreach(v NLBGEN CV NAME GEN_ARGS AFFINITY KIND OUT)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "learned_cv.cmake: ${v} not set")
  endif()
endforeach()
set(pcap ${OUT}/learned-${NAME}.pcap)
string(REPLACE "," ";" GEN_ARGS "${GEN_ARGS}")
execute_process(COMMAND ${NLBGEN} ${GEN_ARGS} -w ${pcap} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nlbgen ${GEN_ARGS} failed (${rc}): ${err}")
endif()
execute_process(COMMAND ${CV} ${pcap} ${AFFINITY} ${KIND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cross-validation failed on ${NAME}")
endif()
