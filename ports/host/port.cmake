# Host port: the programs run natively; ctest runs them directly.
add_library(microprop_port STATIC ${CMAKE_CURRENT_LIST_DIR}/port.c)
target_link_libraries(microprop_port PRIVATE microprop_warnings)
