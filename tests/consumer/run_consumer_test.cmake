# The `consumer_find_package` test: installs the gutskin build into a fresh prefix, configures and
# builds tests/consumer against it with find_package(gutskin), runs the program on the installed
# built-in model and checks what it printed.
# cmake -DGUTSKIN_BUILD_DIR=... -DCONSUMER_SOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=...
#       [-DCXX_COMPILER=...] [-DCOMPILER_LAUNCHER=...] -P run_consumer_test.cmake
foreach(var GUTSKIN_BUILD_DIR CONSUMER_SOURCE_DIR WORK_DIR GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_consumer_test.cmake: -D${var}=... is required")
  endif()
endforeach()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

set(prefix ${WORK_DIR}/prefix)
set(build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})

run("install into ${prefix}" ${CMAKE_COMMAND} --install ${GUTSKIN_BUILD_DIR} --prefix ${prefix})

set(configure_args -S ${CONSUMER_SOURCE_DIR} -B ${build} -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix})
if(CXX_COMPILER)
  list(APPEND configure_args -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
endif()
if(COMPILER_LAUNCHER)
  list(APPEND configure_args -DCMAKE_CXX_COMPILER_LAUNCHER=${COMPILER_LAUNCHER})
endif()
run("configuring the consumer" ${CMAKE_COMMAND} ${configure_args})
file(STRINGS ${build}/CMakeCache.txt found REGEX "^gutskin_DIR:")
if(NOT found MATCHES "=${prefix}/")
  message(FATAL_ERROR "find_package(gutskin) did not take the installed package: ${found}")
endif()
run("building the consumer" ${CMAKE_COMMAND} --build ${build})

# No argument: the default model is the one find_package reported (<prefix>/share/gutskin/...).
run("running the consumer" ${build}/gutskin_consumer)
message(STATUS "${run_output}")
if(NOT run_output MATCHES "^model gut_skin: [a-z_]+ = [0-9.e+-]+ at t = 5\n$")
  message(FATAL_ERROR "unexpected output from gutskin_consumer:\n${run_output}")
endif()
