// Must not compile: dense<4, 16> feeds 16 values into dense<8, 3>, which takes 8.
// Expected: the static_assert of microprop::layer_widths_must_match naming 16 and 8.
// expect: Layer widths do not match: a dense layer's input width must equal the previous layer's output width
// expect: layer_widths_must_match<16, 8>
#include <microprop/microprop.hpp>

namespace mp = microprop;

int main()
{
    mp::network<float, mp::dense<4, 16>, mp::relu, mp::dense<8, 3>> net(1);
    const float x[4] = {};
    return static_cast<int>(net.forward(x)[0]);
}
