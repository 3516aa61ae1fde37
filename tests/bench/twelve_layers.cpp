// Compile-time probe for template_cost.sh: a 12-layer network trained per sample.
#include <microprop/microprop.hpp>

namespace mp = microprop;
using net_t = mp::network<float, mp::dense<16, 24>, mp::relu, mp::dense<24, 24>, mp::tanh, mp::dense<24, 20>,
                          mp::relu, mp::dense<20, 20>, mp::sigmoid, mp::dense<20, 16>, mp::leaky_relu,
                          mp::dense<16, 16>, mp::relu, mp::dense<16, 12>, mp::tanh, mp::dense<12, 12>, mp::relu,
                          mp::dense<12, 10>, mp::relu, mp::dense<10, 10>, mp::tanh, mp::dense<10, 8>, mp::relu,
                          mp::dense<8, 4>, mp::softmax>;
static_assert(net_t::layer_count == 12, "");

int train_twelve(const float (&x)[16], const float (&d)[4])
{
    static net_t net(1);
    static mp::trainer<net_t, mp::cross_entropy, mp::adam> tr(net);
    return static_cast<int>(tr.train_sample(x, d));
}
