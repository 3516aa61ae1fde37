// The input Jacobian of a q3_12 (fixed-point) network must not compile.
// expect: The input Jacobian needs a floating-point network
#include <microprop/fixed_point.hpp>
#include <microprop/microprop.hpp>

namespace mp = microprop;
using net_t = mp::network<mp::q3_12, mp::dense<2, 3>, mp::sigmoid, mp::dense<3, 1>>;

int main()
{
    net_t net;
    mp::q3_12 x[2] = {mp::q3_12(0), mp::q3_12(1)};
    mp::q3_12 jacobian[net_t::output_size * net_t::input_size];
    mp::q3_12 scratch[2 * net_t::max_width];
    return mp::input_jacobian(net, x, mp::span<mp::q3_12>(jacobian, net_t::output_size * net_t::input_size),
                              mp::span<mp::q3_12>(scratch, 2 * net_t::max_width)) == mp::status::ok
               ? 0
               : 1;
}
