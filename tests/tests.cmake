# Every test is found by its name, so adding a file adds a test:
#   tests/c/test_*.c       C unit tests of the core (no Lua), one executable each
#   tests/lua/test_*.lua   LuaUnit suites, run by the initlab host from the source root
#   tests/host/test_*.sh   end-to-end checks of the host and scripts (arguments, REPL, install layout)

file(GLOB C_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/c/test_*.c)
foreach(src ${C_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE initlab_core)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/c)
  add_test(NAME c/${name} COMMAND ${name} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endforeach()
# The kernels once more on the portable path (what a CPU without AVX2 runs), whatever this CPU has.
add_test(NAME c/test_kernels_portable COMMAND test_kernels WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(c/test_kernels_portable PROPERTIES ENVIRONMENT "INITLAB_ISA=portable")
# And capped at AVX2, so that a CPU with AVX-512 tests both SIMD paths (on one without, this is the best path).
add_test(NAME c/test_kernels_avx2 COMMAND test_kernels WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(c/test_kernels_avx2 PROPERTIES ENVIRONMENT "INITLAB_ISA=avx2")
# And with OpenBLAS missing at run time: large products fall back to initlab's kernels.
add_test(NAME c/test_kernels_without_openblas COMMAND test_kernels WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(c/test_kernels_without_openblas PROPERTIES ENVIRONMENT "INITLAB_OPENBLAS=/nonexistent/libopenblas.so.0")

# And the helper thread switched off: every step runs on one thread.
add_test(NAME c/test_helper_one_thread COMMAND test_helper WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(c/test_helper_one_thread PROPERTIES ENVIRONMENT "INITLAB_THREADS=1")

file(GLOB LUA_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/lua/test_*.lua)
foreach(src ${LUA_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_test(NAME lua/${name} COMMAND $<TARGET_FILE:initlab> ${src} -o text
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(lua/${name} PROPERTIES
    ENVIRONMENT "INITLAB_BUILD_DIR=${CMAKE_BINARY_DIR};INITLAB_SANITIZE=$<BOOL:${INITLAB_SANITIZE}>;OPENBLAS_NUM_THREADS=1")
endforeach()
# ctest runs tests side by side on every core: OpenBLAS threads of its own would only fight over them.

file(GLOB HOST_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/host/test_*.sh)
foreach(src ${HOST_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_test(NAME host/${name} COMMAND bash ${src} $<TARGET_FILE:initlab> ${CMAKE_BINARY_DIR}
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(host/${name} PROPERTIES
    ENVIRONMENT "INITLAB_SANITIZE=$<BOOL:${INITLAB_SANITIZE}>")
endforeach()
