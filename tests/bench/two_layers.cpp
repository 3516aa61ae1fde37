// Compile-time probe for template_cost.sh: the 2-layer W2 network trained per sample.
#include <microprop/microprop.hpp>

namespace mp = microprop;
using net_t = mp::network<float, mp::dense<64, 32>, mp::relu, mp::dense<32, 10>, mp::softmax>;

int train_two(const float (&x)[64], const float (&d)[10])
{
    static net_t net(1);
    static mp::trainer<net_t, mp::cross_entropy, mp::adam> tr(net);
    return static_cast<int>(tr.train_sample(x, d));
}
