# One static library per folder of src/. Each library sees only its own headers and those of the
# libraries it links: its include directory build/include/<name> holds a single link <name> -> the
# folder, so `#include "api/..."` inside engine/ fails to compile. PRECOMPILE names headers most of
# the layer's files include (nlohmann-json: two to three seconds of every file that parses it).
function(al_layer name)
  cmake_parse_arguments(ARG "" "" "DEPS;PRECOMPILE" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  list(FILTER sources EXCLUDE REGEX "/main\\.cpp$")
  set_property(GLOBAL PROPERTY AL_LAYER_DEPS_${name} ${ARG_DEPS})
  set(include_dir ${CMAKE_BINARY_DIR}/include/${name})
  file(MAKE_DIRECTORY ${include_dir})
  file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR} ${include_dir}/${name} SYMBOLIC)
  if(sources)
    add_library(al_${name} STATIC ${sources})
    target_include_directories(al_${name} PUBLIC ${include_dir})
    target_link_libraries(al_${name} PUBLIC ${ARG_DEPS})
    if(ARG_PRECOMPILE AND AL_PRECOMPILED_HEADERS)
      target_precompile_headers(al_${name} PRIVATE ${ARG_PRECOMPILE})
    endif()
  else()  # a layer that has only headers so far
    add_library(al_${name} INTERFACE)
    target_include_directories(al_${name} INTERFACE ${include_dir})
    target_link_libraries(al_${name} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# The include flags a layer's own headers compile with: its include directory and those of every
# layer it links, directly or through another layer.
function(al_layer_include_flags name out)
  set(flags -I${CMAKE_BINARY_DIR}/include/${name})
  get_property(deps GLOBAL PROPERTY AL_LAYER_DEPS_${name})
  foreach(dep IN LISTS deps)
    if(dep MATCHES "^al_(.+)$")
      al_layer_include_flags(${CMAKE_MATCH_1} dep_flags)
      list(APPEND flags ${dep_flags})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES flags)
  set(${out} ${flags} PARENT_SCOPE)
endfunction()
