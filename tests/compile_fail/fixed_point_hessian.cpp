// A Hessian of a q3_12 (fixed-point) network must not compile.
// expect: Hessians need a floating-point network
#include <microprop/fixed_point.hpp>
#include <microprop/microprop.hpp>

namespace mp = microprop;
using net_t = mp::network<mp::q3_12, mp::dense<2, 3>, mp::sigmoid, mp::dense<3, 1>>;

int main()
{
    net_t net;
    mp::q3_12 x[2] = {mp::q3_12(0), mp::q3_12(1)};
    mp::q3_12 d[1] = {mp::q3_12(1)};
    mp::q3_12 diagonal[net_t::parameter_count];
    mp::q3_12 scratch[64];
    return mp::hessian_diagonal<mp::squared_error>(net, x, d, mp::span<mp::q3_12>(diagonal, net_t::parameter_count),
                                                   mp::span<mp::q3_12>(scratch, 64)) == mp::status::ok ? 0 : 1;
}
