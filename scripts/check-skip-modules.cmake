# FEDSIM_SKIP_MODULES keeps the build whole: configures this source with one module left out
# (only configures: about 2 s a value, no build) and checks what CTest would run. The build
# must configure; no test may run a scenario file (a curated scenario or a catalogue
# regression) of a world that is not built, nor a test executable of a module that is not
# built; and the tests of the worlds and modules still built must still be there.
# Usage: cmake -DSOURCE_DIR=... -DWORK_DIR=... [-DCXX=...] [-DGENERATOR=...]
#        -P scripts/check-skip-modules.cmake
# GENERATOR: the CMake generator of the inner configures (default: Ninja); the CTest test passes
# the outer build's own, so a build made with another generator needs nothing more installed.
# (tests/CMakeLists.txt registers it as the CTest test build_option_skip_modules.)
cmake_minimum_required(VERSION 3.22)
foreach(var SOURCE_DIR WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "check-skip-modules: -D${var}=... is required")
  endif()
endforeach()
if(NOT GENERATOR)
  set(GENERATOR Ninja)
endif()
set(compiler_arg "")
if(CXX)
  set(compiler_arg -DCMAKE_CXX_COMPILER=${CXX})
endif()

set(failures 0)
macro(fail text)
  message(SEND_ERROR "check-skip-modules: ${text}")
  math(EXPR failures "${failures} + 1")
endmacro()

# Configures with FEDSIM_SKIP_MODULES=${skip} and sets `tests` (every test name) and
# `test_worlds` (for each test running a scenario file, "name=world").
function(configure_and_list skip dir)
  file(REMOVE_RECURSE ${dir})
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${dir} -G ${GENERATOR}
                          ${compiler_arg} -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DFEDSIM_SKIP_MODULES=${skip}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "check-skip-modules: FEDSIM_SKIP_MODULES=${skip} does not configure:\n"
                        "${out}")
  endif()
  # The generated CTestTestfile.cmake files, one add_test line a test: ctest itself leaves out
  # the command of a test whose executable is not built yet.
  file(GLOB_RECURSE testfiles ${dir}/CTestTestfile.cmake)
  set(names "")
  set(worlds "")
  foreach(testfile IN LISTS testfiles)
    file(STRINGS ${testfile} lines REGEX "^add_test\\(")
    foreach(line IN LISTS lines)
      string(REGEX REPLACE "^add_test\\(\\[=\\[([^]]*)\\]=\\].*$" "\\1" name "${line}")
      list(APPEND names ${name})
      # A scenario file is the argument after sweep or --verify (fedsim_add_scenario_test,
      # tests/catalogue/CMakeLists.txt).
      if(line MATCHES "\"(sweep|--verify)\" \"([^\"]+)\"")
        file(READ "${CMAKE_MATCH_2}" text)
        string(JSON world ERROR_VARIABLE error GET "${text}" world)
        list(APPEND worlds "${name}=${world}")
      endif()
    endforeach()
  endforeach()
  set(tests "${names}" PARENT_SCOPE)
  set(test_worlds "${worlds}" PARENT_SCOPE)
endfunction()

# check(SKIP skip GONE_WORLDS ... KEPT_WORLDS ... GONE_TESTS ... KEPT_TESTS ...)
function(check)
  cmake_parse_arguments(ARG "" "SKIP" "GONE_WORLDS;KEPT_WORLDS;GONE_TESTS;KEPT_TESTS" ${ARGN})
  string(REPLACE ";" "_" stem "${ARG_SKIP}")
  configure_and_list("${ARG_SKIP}" ${WORK_DIR}/${stem})
  set(seen_worlds "")
  foreach(entry IN LISTS test_worlds)
    string(REGEX REPLACE "^([^=]*)=(.*)$" "\\1" name "${entry}")
    string(REGEX REPLACE "^([^=]*)=(.*)$" "\\2" world "${entry}")
    list(APPEND seen_worlds ${world})
    if(world IN_LIST ARG_GONE_WORLDS)
      fail("FEDSIM_SKIP_MODULES=${ARG_SKIP}: ${name} runs the ${world} world, not built")
    endif()
  endforeach()
  foreach(world IN LISTS ARG_KEPT_WORLDS)
    if(NOT world IN_LIST seen_worlds)
      fail("FEDSIM_SKIP_MODULES=${ARG_SKIP}: no scenario test of the ${world} world left")
    endif()
  endforeach()
  foreach(name IN LISTS ARG_GONE_TESTS)
    if(name IN_LIST tests)
      fail("FEDSIM_SKIP_MODULES=${ARG_SKIP}: ${name} is registered, its module is not built")
    endif()
  endforeach()
  foreach(name IN LISTS ARG_KEPT_TESTS)
    if(NOT name IN_LIST tests)
      fail("FEDSIM_SKIP_MODULES=${ARG_SKIP}: ${name} is no longer registered")
    endif()
  endforeach()
  set(failures ${failures} PARENT_SCOPE)
endfunction()

# The gateway alone: the client (which links it) and the gateway world go with it.
check(SKIP gateway
      GONE_WORLDS gateway
      KEPT_WORLDS chain lightning federation peg-in service echo escrow shutdown
      GONE_TESTS gateway_tests client_tests perf_tests bench_model_duration_flags
      KEPT_TESTS federation_tests lightning_tests scenario_tests cli_tests cli_reliability_tests
                 catalogue.roundtrip)
# The documented example: every model but the examples goes (each links chain).
check(SKIP "chain;lightning"
      GONE_WORLDS chain lightning federation peg-in service gateway
      KEPT_WORLDS echo escrow shutdown
      GONE_TESTS chain_tests lightning_tests federation_tests gateway_tests client_tests
                 perf_tests bench_model_duration_flags catalogue.roundtrip
      KEPT_TESTS sim_tests examples_tests scenario_tests cli_tests cli_reliability_tests
                 fuzz_regression_tests)
if(failures GREATER 0)
  message(FATAL_ERROR "check-skip-modules: ${failures} failure(s)")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
message(STATUS "check-skip-modules: FEDSIM_SKIP_MODULES=gateway and chain;lightning configure "
               "and register only the tests of what is built")
