// Must not compile: the finite-difference gradient check run on a whole fine_tuned model. The
// tools that take a network apply to its trainable part, head(), fed with features(x).
// expect: A fine_tuned model is not a network
// expect: take its trainable part, model.head\(\)
#include <microprop/microprop.hpp>

namespace mp = microprop;

using backbone = mp::frozen<float, mp::dense<4, 3>, mp::relu>;
using model = mp::fine_tuned<backbone, mp::network<float, mp::dense<3, 2>, mp::softmax>>;
constexpr backbone::parameters_type pretrained{};

int main()
{
    model net(pretrained, 1);
    const float x[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    const float d[2] = {0.0f, 1.0f};
    return static_cast<int>(mp::check_gradient<mp::cross_entropy>(net, x, d).max_relative_error);
}
