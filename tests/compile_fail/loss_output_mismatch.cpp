// Must not compile: cross_entropy is only defined over a softmax output, and
// this network ends in sigmoid.
// expect: This loss does not fit the network's output layer: cross_entropy needs a softmax output
#include <microprop/microprop.hpp>

namespace mp = microprop;

int main()
{
    using net_t = mp::network<float, mp::dense<4, 8>, mp::relu, mp::dense<8, 3>, mp::sigmoid>;
    net_t net(1);
    mp::trainer<net_t, mp::cross_entropy> trainer(net);
    const float x[4] = {};
    const float d[3] = {1.0f, 0.0f, 0.0f};
    return trainer.train_sample(x, d) == mp::status::ok ? 0 : 1;
}
