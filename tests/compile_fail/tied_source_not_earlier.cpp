// Must not compile: tied<1> is itself dense layer 1, so it names no earlier layer.
// Expected: the static_assert of tied_source_must_be_an_earlier_layer naming 1 and 1.
// expect: A tied layer must name an earlier dense layer
// expect: tied_source_must_be_an_earlier_layer<1, 1>
#include <microprop/microprop.hpp>

namespace mp = microprop;

int main()
{
    mp::network<float, mp::dense<4, 2>, mp::tanh, mp::tied<1>> net(1);
    const float x[4] = {};
    return static_cast<int>(net.forward(x)[0]);
}
