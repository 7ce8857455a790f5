# One library target per module of docs/architecture.md, declared by the
# module's own CMakeLists.txt:
#
#   xt_module(settle DEPS catalog policy core)
#
# makes xt_settle from every .cc of the folder but the tests (and those
# named in EXCLUDE), plus SOURCES, linking only
# the modules named in DEPS (and LIBS, outside libraries). Three checks keep
# the arrows pointing down:
#   - at configure time, every #include "module/..." of the folder's files
#     must name the module itself or one of its DEPS (xt_check_modules,
#     called once all folders are read); an include that points up, or
#     sideways without a declared arrow, stops the configure with the file,
#     the line and the arrow it would need;
#   - DEPS must not form a cycle;
#   - xt_<module>_linkcheck links the whole of the module's archive against
#     its DEPS alone, so a call into a module it does not depend on fails to
#     link even when no header says so.
# The folder's *_test.cc are its unit tests, xt_<module>_tests, which link
# the module (and TEST_LIBS) only.
include_guard(GLOBAL)

set(XT_LINKCHECK_MAIN ${CMAKE_CURRENT_LIST_DIR}/linkcheck_main.cc)

function(xt_module name)
  cmake_parse_arguments(M "" "" "DEPS;LIBS;TEST_LIBS;SOURCES;EXCLUDE" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  list(FILTER sources EXCLUDE REGEX "_test\\.cc$")
  foreach(x IN LISTS M_EXCLUDE)
    list(REMOVE_ITEM sources ${CMAKE_CURRENT_SOURCE_DIR}/${x})
  endforeach()
  list(APPEND sources ${M_SOURCES})
  add_library(xt_${name} STATIC ${sources})
  target_include_directories(xt_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  set(dep_targets)
  foreach(d IN LISTS M_DEPS)
    list(APPEND dep_targets xt_${d})
  endforeach()
  target_link_libraries(xt_${name} PUBLIC ${dep_targets} ${M_LIBS})

  set_property(GLOBAL APPEND PROPERTY XT_MODULES ${name})
  set_property(GLOBAL PROPERTY XT_MODULE_DEPS_${name} "${M_DEPS}")
  set_property(GLOBAL PROPERTY XT_MODULE_DIR_${name} ${CMAKE_CURRENT_SOURCE_DIR})

  add_executable(xt_${name}_linkcheck ${XT_LINKCHECK_MAIN})
  target_link_libraries(xt_${name}_linkcheck PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,xt_${name}>")

  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  if(tests AND XT_BUILD_TESTS)
    add_executable(xt_${name}_tests ${tests})
    target_link_libraries(xt_${name}_tests PRIVATE xt_${name} ${M_TEST_LIBS} GTest::gtest_main)
    gtest_discover_tests(xt_${name}_tests DISCOVERY_TIMEOUT 60)
  endif()
endfunction()

# The include check and the cycle check, over every module declared.
function(xt_check_modules)
  get_property(modules GLOBAL PROPERTY XT_MODULES)
  # Every folder of src/ is a module: one without a CMakeLists.txt would
  # be left out of the build.
  file(GLOB dirs LIST_DIRECTORIES true ${PROJECT_SOURCE_DIR}/src/*)
  foreach(dir IN LISTS dirs)
    if(IS_DIRECTORY ${dir})
      get_filename_component(m ${dir} NAME)
      if(NOT m IN_LIST modules)
        message(FATAL_ERROR "src/${m} declares no module: give it a CMakeLists.txt with xt_module(${m} DEPS ...)")
      endif()
    endif()
  endforeach()
  foreach(m IN LISTS modules)
    get_property(deps GLOBAL PROPERTY XT_MODULE_DEPS_${m})
    get_property(dir GLOBAL PROPERTY XT_MODULE_DIR_${m})
    foreach(d IN LISTS deps)
      if(NOT d IN_LIST modules)
        message(FATAL_ERROR "module ${m} depends on ${d}, which is not a module")
      endif()
    endforeach()
    file(GLOB files CONFIGURE_DEPENDS ${dir}/*.cc ${dir}/*.h)
    foreach(f IN LISTS files)
      file(STRINGS ${f} includes REGEX "^#include \"[a-z_]+/")
      foreach(line IN LISTS includes)
        string(REGEX REPLACE "^#include \"([a-z_]+)/.*" "\\1" to "${line}")
        if(NOT to STREQUAL m AND NOT to IN_LIST deps)
          file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${f})
          message(FATAL_ERROR "${rel}: ${line}: module ${m} does not depend on ${to} "
                              "(its DEPS: ${deps}); an arrow may only point down (docs/architecture.md)")
        endif()
      endforeach()
    endforeach()
  endforeach()
  # No cycles: a depth-first walk from each module.
  foreach(start IN LISTS modules)
    set(stack ${start})
    set(seen)
    while(stack)
      list(POP_BACK stack m)
      get_property(deps GLOBAL PROPERTY XT_MODULE_DEPS_${m})
      foreach(d IN LISTS deps)
        if(d STREQUAL start)
          message(FATAL_ERROR "modules form a cycle through ${start} and ${m}")
        endif()
        if(NOT d IN_LIST seen)
          list(APPEND seen ${d})
          list(APPEND stack ${d})
        endif()
      endforeach()
    endwhile()
  endforeach()
endfunction()
