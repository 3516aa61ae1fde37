// Entry point of every test image: host and bare-metal alike.
#include "microtest.hpp"

int main()
{
    microprop_port_init();
    const int failed = ::microtest::run_all();
    microprop_port_exit(failed == 0 ? 0 : 1);
}
