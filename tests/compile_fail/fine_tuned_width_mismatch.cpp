// Must not compile: a backbone of 3 outputs feeding a head of 4 inputs.
// Expected: the static_assert of microprop::detail::backbone_must_fit_head naming 3 and 4.
// expect: the backbone's output width
// expect: backbone_must_fit_head<3, 4>
#include <microprop/frozen.hpp>

namespace mp = microprop;

using backbone = mp::frozen<float, mp::dense<4, 3>, mp::relu>;
using model = mp::fine_tuned<backbone, mp::network<float, mp::dense<4, 2>, mp::softmax>>;
constexpr backbone::parameters_type pretrained{};

int main()
{
    model net(pretrained, 1);
    return static_cast<int>(net.output().size());
}
