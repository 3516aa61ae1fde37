#include <microprop/microprop.hpp>

#include "microtest.hpp"

namespace mp = microprop;

TEST(smoke, xor_trains)
{
    using net_t = mp::network<float, mp::dense<2, 4>, mp::sigmoid, mp::dense<4, 1>, mp::sigmoid>;
    net_t net(1);
    mp::trainer<net_t, mp::squared_error> trainer(net, mp::sgd{0.5f});
    const float x[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    const float d[4][1] = {{0}, {1}, {1}, {0}};
    float loss = 0;
    for (int epoch = 0; epoch < 5000; ++epoch) {
        loss = 0;
        for (int s = 0; s < 4; ++s) {
            ASSERT_EQ(trainer.train_sample(x[s], d[s]), mp::status::ok);
            loss += trainer.last_loss();
        }
    }
    EXPECT_LT(loss / 4, 0.01f);
}
