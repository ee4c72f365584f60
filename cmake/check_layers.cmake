# Fails when a file under src/ includes a header of a layer its own layer may not use.
# The rules (docs/ARCHITECTURE.md has the picture):
#   base                               nothing but base
#   store, container, proxy, admin     base
#   starlark (src/appspec/starlark)    base
#   template (src/template)            base
#   appspec                            base, starlark
#   secrets                            base, store
#   app                                base, store, appspec, starlark, container, proxy, secrets,
#                                      template
#   server                             every layer but cli
#   cli                                base, admin
#   main (src/main.cc, src/server_main.cc)  cli, server
# Tests beside the code (*_test.cc) follow their folder's rules; tests/ is not checked.
# Usage: cmake -DSRC=<repo>/src [-DSTAMP=<file touched on success>] -P check_layers.cmake
cmake_policy(SET CMP0057 NEW)
set(allowed_base "base")
set(allowed_store "base;store")
set(allowed_container "base;container")
set(allowed_proxy "base;proxy")
set(allowed_admin "base;admin")
set(allowed_starlark "base;starlark")
set(allowed_template "base;template")
set(allowed_appspec "base;starlark;appspec")
set(allowed_secrets "base;store;secrets")
set(allowed_app "base;store;starlark;appspec;container;proxy;secrets;template;app")
set(allowed_server "base;store;starlark;appspec;container;proxy;admin;secrets;template;app;server")
set(allowed_cli "base;admin;cli")
set(allowed_main "cli;server")

function(layer_of rel out)  # rel: a path relative to src/
  if(rel MATCHES "^appspec/starlark/")
    set(${out} starlark PARENT_SCOPE)
  elseif(rel STREQUAL "main.cc" OR rel STREQUAL "server_main.cc")
    set(${out} main PARENT_SCOPE)
  elseif(rel MATCHES "^([^/]+)/")
    set(${out} ${CMAKE_MATCH_1} PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

file(GLOB_RECURSE files RELATIVE ${SRC} ${SRC}/*.h ${SRC}/*.cc)
set(errors "")
foreach(rel ${files})
  layer_of(${rel} layer)
  if(NOT DEFINED allowed_${layer})
    string(APPEND errors "  src/${rel}: not in a known layer (add its folder to cmake/check_layers.cmake)\n")
    continue()
  endif()
  file(STRINGS ${SRC}/${rel} includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(line ${includes})
    if(NOT line MATCHES "\"([^\"]+)\"")
      continue()
    endif()
    set(target ${CMAKE_MATCH_1})
    if(NOT EXISTS ${SRC}/${target})
      continue()  # a generated or third-party header
    endif()
    layer_of(${target} target_layer)
    if(NOT target_layer IN_LIST allowed_${layer})
      string(APPEND errors "  src/${rel}: #include \"${target}\": layer ${layer} may not use ${target_layer}\n")
    endif()
  endforeach()
endforeach()
if(errors)
  message(FATAL_ERROR "Cross-layer includes (see cmake/check_layers.cmake and docs/ARCHITECTURE.md):\n${errors}")
endif()
if(STAMP)
  file(TOUCH ${STAMP})
endif()
