// The closed-form two-layer Hessian (PRML 5.93-5.95) of a one-layer network must not
// compile, with one sentence that points to exact_hessian (any depth) and no bounds error.
// expect: exact_hessian_two_layer implements PRML \(5.92\)-\(5.95\) for networks with exactly one
// expect: exact_hessian \(hessian_vector.hpp\) takes any depth
#include <microprop/microprop.hpp>

namespace mp = microprop;
using net_t = mp::network<double, mp::dense<2, 2>>;

int main()
{
    net_t net;
    double x[2] = {0.0, 1.0};
    double d[2] = {1.0, 0.0};
    double h[net_t::parameter_count * net_t::parameter_count];
    double scratch[mp::exact_hessian_two_layer_scratch_size<net_t>];
    return mp::exact_hessian_two_layer<mp::squared_error>(net, x, d, mp::span<double>(h), mp::span<double>(scratch)) ==
                   mp::status::ok
               ? 0
               : 1;
}
