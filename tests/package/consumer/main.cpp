// A program outside the microprop tree: trains XOR and exits 0 when the loss is below 0.01.
#include <microprop/microprop.hpp>

namespace mp = microprop;

int main()
{
    using net_t = mp::network<float, mp::dense<2, 4>, mp::sigmoid, mp::dense<4, 1>, mp::sigmoid>;
    net_t net(1);
    mp::trainer<net_t, mp::squared_error> trainer(net, mp::sgd{2.0f});
    const float x[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    const float d[4][1] = {{0}, {1}, {1}, {0}};
    for (int epoch = 0; epoch < 2000; ++epoch) {
        for (int s = 0; s < 4; ++s) {
            if (trainer.train_sample(x[s], d[s]) != mp::status::ok) return 2;
        }
    }
    float loss = 0.0f;
    for (int s = 0; s < 4; ++s) loss += mp::evaluate_loss<mp::squared_error>(net, x[s], d[s]);
    return loss / 4.0f < 0.01f ? 0 : 1;
}
