// Must not compile: issue 15's case, a 2-float array given to a 3-input network (the
// raw-pointer train_sample read past it without any diagnostic).
// Expected: the static_assert of microprop::array_length_must_match naming the input array, 2 and 3.
// expect: An array's length differs from what the network takes
// expect: array_length_must_match<microprop::array_kind::input, 2, 3>
#include <microprop/microprop.hpp>

namespace mp = microprop;

int main()
{
    using net_t = mp::network<float, mp::dense<3, 4>, mp::tanh, mp::dense<4, 1>>;
    net_t net(1);
    mp::trainer<net_t, mp::squared_error> trainer(net);
    const float x[2] = {0.5f, -0.5f};
    const float d[1] = {1.0f};
    return trainer.train_sample(x, d) == mp::status::ok ? 0 : 1;
}
