// Must not compile: tied<1> names layer 1, which is itself a tied layer.
// expect: A tied layer must share the weights of a dense layer, not of another tied layer
#include <microprop/microprop.hpp>

namespace mp = microprop;

int main()
{
    mp::network<float, mp::dense<4, 2>, mp::tanh, mp::tied<0>, mp::tanh, mp::tied<1>> net(1);
    const float x[4] = {};
    return static_cast<int>(net.forward(x)[0]);
}
