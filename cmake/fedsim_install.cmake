# Install and export rules: `cmake --install` gives a package other C++ projects can use with
#   find_package(fedsim REQUIRED)
#   target_link_libraries(my_sim PRIVATE fedsim::scenario)   # or fedsim::sim alone
#   fedsim_add_scenario_test(FILE my.json SEEDS 1..500)
# Exported: fedsim::sim (engine), fedsim::examples, fedsim::scenario (scenario files, world
# registry, runner), the fedsim command (fedsim::fedsim) and the CMake helpers.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(FEDSIM_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/fedsim)

set_target_properties(fedsim_sim PROPERTIES EXPORT_NAME sim)
set_target_properties(fedsim_examples PROPERTIES EXPORT_NAME examples)
set_target_properties(fedsim_scenario PROPERTIES EXPORT_NAME scenario)
set_target_properties(fedsim_warnings PROPERTIES EXPORT_NAME warnings)

install(TARGETS fedsim_sim fedsim_examples fedsim_scenario fedsim_warnings fedsim
        EXPORT fedsimTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

foreach(dir sim actors/examples scenario)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/fedsim/${dir}
          FILES_MATCHING PATTERN "*.h")
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fedsim/scenarios)
install(FILES ${PROJECT_SOURCE_DIR}/docs/scenario.schema.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fedsim OPTIONAL)

install(EXPORT fedsimTargets NAMESPACE fedsim:: DESTINATION ${FEDSIM_INSTALL_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/fedsimConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/fedsimConfig.cmake
                              INSTALL_DESTINATION ${FEDSIM_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/fedsimConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/fedsimConfig.cmake
              ${PROJECT_BINARY_DIR}/fedsimConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FedsimScenarioTests.cmake
        DESTINATION ${FEDSIM_INSTALL_CMAKEDIR})
