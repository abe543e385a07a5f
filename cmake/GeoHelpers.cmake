# SPDX-License-Identifier: Apache-2.0
# geo_add_module(NAME [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Builds libgeo/src/NAME/*.cpp into the static library geo_NAME (alias geo::NAME). A module may only
# depend on modules below it (see STYLE.md). A module whose source folder is still empty is skipped.
function(geo_add_module name)
  cmake_parse_arguments(ARG "" "" "PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/${name}/*.cpp)
  if(NOT srcs)
    return()
  endif()
  add_library(geo_${name} STATIC ${srcs})
  add_library(geo::${name} ALIAS geo_${name})
  target_include_directories(geo_${name}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(geo_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  set_property(GLOBAL APPEND PROPERTY GEO_MODULES geo_${name})
endfunction()

# geo_add_test_dir(DIR NAME LIBS...): every tests/DIR/*.cpp into one GoogleTest executable test_NAME.
function(geo_add_test_dir dir name)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.cpp)
  if(NOT srcs)
    return()
  endif()
  add_executable(test_${name} ${srcs})
  target_link_libraries(test_${name} PRIVATE ${ARGN} geo_test_support GTest::gtest GTest::gtest_main)
  gtest_discover_tests(test_${name} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "GEO_SHARED_DATA_DIR=${GEO_SHARED_DATA_DIR};GEOEV_BIN=$<TARGET_FILE:geoev>"
    TEST_PREFIX "${name}.")
endfunction()
