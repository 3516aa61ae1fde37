// Control: the same kind of program with matching widths, a fitting loss and
// softmax last compiles, so the failures above come from the mistakes alone.
#include <array>

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
    // Every checked form of the right length: std::array, C arrays (also a [batch][width]
    // minibatch), spans, and the pointer form spelled _unchecked.
    const std::array<float, 4> x_array{};
    const std::array<float, 3> d_array{1.0f, 0.0f, 0.0f};
    const float xs[2][4] = {};
    const float ds[2][3] = {{1.0f, 0.0f, 0.0f}, {0.0f, 1.0f, 0.0f}};
    mp::trainer<net_t, mp::cross_entropy, mp::sgd, 2> batch_trainer(net);
    const bool forms_ok = trainer.train_sample(x_array, d) == mp::status::ok &&
                          trainer.train_sample(x, d_array) == mp::status::ok &&
                          trainer.train_sample(mp::span<const float>(x), mp::span<const float>(d)) == mp::status::ok &&
                          trainer.train_sample_unchecked(x, d) == mp::status::ok &&
                          batch_trainer.train_batch(xs, ds) == mp::status::ok &&
                          batch_trainer.train_batch(xs, ds, 1) == mp::status::ok && net.forward(x_array).size() == 3;
    return trainer.train_sample(x, d) == mp::status::ok && ae_ok && forms_ok ? 0 : 1;
}
