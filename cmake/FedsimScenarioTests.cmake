# fedsim_add_scenario_test: register a scenario file x seed range as a CTest test.
#
#   fedsim_add_scenario_test(FILE path/to/scenario.json
#                            [NAME test-name]        # default: scenario.<file stem>
#                            [SEEDS A..B]            # default: the file's "seeds"
#                            [JOBS n]                # worker processes (default 1: ctest -j
#                                                    #   already runs tests side by side)
#                            [SHARDS n]              # split into n tests (shard k/n each)
#                            [LABELS l1 l2 ...]
#                            [TIMEOUT seconds]
#                            [FEDSIM command])       # default: the fedsim target, or the
#                                                    #   imported fedsim::fedsim
#
# Each test runs `fedsim sweep FILE --seeds A..B --jobs n --progress never`; it passes when
# every seed passes (exit 0). A failing test's output lists each failing seed with its replay
# command; a seed whose drawn parameters the scenario cannot run (exit 2 when nothing else
# failed) fails the test too, listed under "bad input" with its error and replay command, so a
# scenario's ranges are fixed rather than its bad draws counted as bugs. Works in the fedsim
# tree and in projects that find_package(fedsim).
function(fedsim_add_scenario_test)
  cmake_parse_arguments(ARG "" "FILE;NAME;SEEDS;JOBS;SHARDS;TIMEOUT;FEDSIM" "LABELS" ${ARGN})
  if(NOT ARG_FILE)
    message(FATAL_ERROR "fedsim_add_scenario_test: FILE is required")
  endif()
  get_filename_component(file "${ARG_FILE}" ABSOLUTE)
  if(NOT ARG_NAME)
    get_filename_component(stem "${file}" NAME_WE)
    set(ARG_NAME "scenario.${stem}")
  endif()
  if(NOT ARG_JOBS)
    set(ARG_JOBS 1)
  endif()
  if(NOT ARG_SHARDS)
    set(ARG_SHARDS 1)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  if(NOT ARG_FEDSIM)
    if(TARGET fedsim)
      set(ARG_FEDSIM $<TARGET_FILE:fedsim>)
    elseif(TARGET fedsim::fedsim)
      set(ARG_FEDSIM $<TARGET_FILE:fedsim::fedsim>)
    else()
      message(FATAL_ERROR "fedsim_add_scenario_test: no fedsim target; pass FEDSIM")
    endif()
  endif()
  set(seeds_args "")
  if(ARG_SEEDS)
    set(seeds_args --seeds ${ARG_SEEDS})
  endif()
  foreach(k RANGE 1 ${ARG_SHARDS})
    set(name "${ARG_NAME}")
    if(ARG_SHARDS GREATER 1)
      set(name "${ARG_NAME}.shard${k}of${ARG_SHARDS}")
    endif()
    add_test(NAME ${name}
             COMMAND ${ARG_FEDSIM} sweep ${file} ${seeds_args} --jobs ${ARG_JOBS}
                     --shard ${k}/${ARG_SHARDS} --progress never)
    set_tests_properties(${name} PROPERTIES LABELS "scenario;${ARG_LABELS}"
                                            TIMEOUT ${ARG_TIMEOUT})
  endforeach()
endfunction()

# fedsim_add_scenario_tests(DIRECTORY dir [LABELS ...]): one test per *.json under dir, named
# scenario.<subfolder>.<stem>, each over the file's own "seeds".
function(fedsim_add_scenario_tests)
  cmake_parse_arguments(ARG "" "DIRECTORY;FEDSIM" "LABELS" ${ARGN})
  file(GLOB_RECURSE files CONFIGURE_DEPENDS "${ARG_DIRECTORY}/*.json")
  list(SORT files)
  foreach(file IN LISTS files)
    file(RELATIVE_PATH rel "${ARG_DIRECTORY}" "${file}")
    string(REGEX REPLACE "\\.json$" "" rel "${rel}")
    string(REPLACE "/" "." rel "${rel}")
    set(extra "")
    if(ARG_FEDSIM)
      set(extra FEDSIM ${ARG_FEDSIM})
    endif()
    fedsim_add_scenario_test(FILE ${file} NAME scenario.${rel} LABELS ${ARG_LABELS} ${extra})
  endforeach()
endfunction()
