// Must not compile: a network must start with a dense layer, not an activation.
// expect: Every activation layer must directly follow a dense layer
#include <microprop/microprop.hpp>

namespace mp = microprop;

int main()
{
    mp::network<float, mp::relu, mp::dense<4, 8>, mp::dense<8, 3>> net(1);
    const float x[4] = {};
    return static_cast<int>(net.forward(x)[0]);
}
