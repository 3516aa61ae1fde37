// Adam on a q3_12 (fixed-point) network must not compile (not implemented in fixed point yet).
// expect: A q3_12 network trains with sgd or momentum only
#include <microprop/fixed_point.hpp>
#include <microprop/microprop.hpp>

namespace mp = microprop;
using net_t = mp::network<mp::q3_12, mp::dense<2, 3>, mp::sigmoid, mp::dense<3, 1>>;

int main()
{
    net_t net;
    mp::trainer<net_t, mp::squared_error, mp::adam> trainer(net);
    const mp::q3_12 x[2] = {mp::q3_12(0), mp::q3_12(1)};
    const mp::q3_12 d[1] = {mp::q3_12(1)};
    return trainer.train_sample(x, d) == mp::status::ok ? 0 : 1;
}
