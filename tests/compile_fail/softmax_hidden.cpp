// Must not compile: softmax may only be the last layer, here it is hidden.
// expect: softmax may only be the network's last layer
#include <microprop/microprop.hpp>

namespace mp = microprop;

int main()
{
    mp::network<float, mp::dense<4, 8>, mp::softmax, mp::dense<8, 3>> net(1);
    const float x[4] = {};
    return static_cast<int>(net.forward(x)[0]);
}
