// Control: the same kind of program with matching widths, a fitting loss and
// softmax last compiles, so the failures above come from the mistakes alone.
#include <microprop/microprop.hpp>

namespace mp = microprop;

int main()
{
    using net_t = mp::network<float, mp::dense<4, 16>, mp::relu, mp::dense<16, 3>, mp::softmax>;
    net_t net(1);
    mp::trainer<net_t, mp::cross_entropy> trainer(net);
    const float x[4] = {};
    const float d[3] = {1.0f, 0.0f, 0.0f};
    // And a tied autoencoder (tied<0>: layer 0's weights, transposed).
    using autoencoder = mp::network<float, mp::dense<4, 2>, mp::tanh, mp::tied<0>>;
    autoencoder ae(1);
    mp::trainer<autoencoder, mp::squared_error> ae_trainer(ae);
    const bool ae_ok = ae_trainer.train_sample(x, x) == mp::status::ok;
    return trainer.train_sample(x, d) == mp::status::ok && ae_ok ? 0 : 1;
}
