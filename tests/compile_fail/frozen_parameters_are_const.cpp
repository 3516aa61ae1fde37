// Must not compile: writing a frozen backbone's parameter. A frozen stack reaches its
// parameters only through a pointer to const, so they can live in flash.
// expect: read-only|const-qualified|returns a const value|assignment of read-only location|cannot assign
#include <microprop/frozen.hpp>

namespace mp = microprop;

using backbone = mp::frozen<float, mp::dense<4, 3>, mp::relu>;
using model = mp::fine_tuned<backbone, mp::network<float, mp::dense<3, 2>, mp::softmax>>;
constexpr backbone::parameters_type pretrained{};

int main()
{
    model net(pretrained, 1);
    net.backbone().parameters()[0] = 1.0f;
    return 0;
}
