// Must not compile: a raw pointer carries no length, so the checked train_sample does not
// take one; the pointer form is spelled train_sample_unchecked.
// Expected: no train_sample overload matches two pointers.
// expect: no matching (member )?function for call to .*train_sample
#include <microprop/microprop.hpp>

namespace mp = microprop;

int main()
{
    using net_t = mp::network<float, mp::dense<3, 4>, mp::tanh, mp::dense<4, 1>>;
    net_t net(1);
    mp::trainer<net_t, mp::squared_error> trainer(net);
    const float values[4] = {0.5f, -0.5f, 0.25f, 1.0f};
    const float* x = values;
    const float* d = values + 3;
    return trainer.train_sample(x, d) == mp::status::ok ? 0 : 1;
}
