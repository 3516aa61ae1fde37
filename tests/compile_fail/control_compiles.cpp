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
    return trainer.train_sample(x, d) == mp::status::ok ? 0 : 1;
}
