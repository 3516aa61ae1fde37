// Must not compile: a data set of 3 features evaluated by a network that takes 4 inputs.
// Expected: the static_assert of microprop::dataset_width_must_match naming 4 and 3.
// expect: Data set and network widths do not match
// expect: dataset_width_must_match<4, 3>
#include <microprop/microprop.hpp>

namespace mp = microprop;

constexpr float features[2][3] = {{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}};
constexpr std::uint8_t labels[2] = {0, 1};

int main()
{
    mp::network<float, mp::dense<4, 2>, mp::softmax> net(1);
    const auto view = mp::classification_view<float, 2>(features, labels);
    return static_cast<int>(mp::accuracy(net, view));
}
