// Must not compile: a minibatch of 4 whose target array has 3 rows of 2 (6 values, not 8).
// Expected: the static_assert of microprop::array_length_must_match naming the batch targets, 6 and 8.
// expect: An array's length differs from what the network takes
// expect: array_length_must_match<microprop::array_kind::batch_target, 6, 8>
#include <microprop/microprop.hpp>

namespace mp = microprop;

int main()
{
    using net_t = mp::network<float, mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>>;
    net_t net(1);
    mp::trainer<net_t, mp::squared_error, mp::sgd, 4> trainer(net);
    const float xs[4][3] = {};
    const float ds[3][2] = {};
    return trainer.train_batch(xs, ds) == mp::status::ok ? 0 : 1;
}
