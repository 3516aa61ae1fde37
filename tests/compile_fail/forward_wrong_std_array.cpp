// Must not compile: network::forward given a std::array of 5 values for a 4-input network.
// Expected: the static_assert of microprop::array_length_must_match naming the input array, 5 and 4.
// expect: An array's length differs from what the network takes
// expect: array_length_must_match<microprop::array_kind::input, 5, 4>
#include <array>

#include <microprop/microprop.hpp>

namespace mp = microprop;

int main()
{
    mp::network<float, mp::dense<4, 8>, mp::relu, mp::dense<8, 3>, mp::softmax> net(1);
    const std::array<float, 5> x{};
    return static_cast<int>(net.forward(x)[0]);
}
