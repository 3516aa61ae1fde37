// W2 per-sample SGD steps in a loop, for tests/bench/host_instruction_mix.sh: run with no
// argument it trains 10,000 samples, with one argument 20,000, so the difference of two
// callgrind runs is exactly 10,000 steps (set-up excluded).
#include <cstdio>

#include "workloads.hpp"

int main(int argc, char**)
{
    namespace mp = microprop;
    static bench::w2_net net;
    net.initialize(1);
    mp::trainer<bench::w2_net, bench::w2_loss, mp::sgd> tr(net, mp::sgd{bench::learning_rate, 0.0f});
    const int steps = argc > 1 ? 20000 : 10000;
    int failed = 0;
    for (int s = 0; s < steps; ++s) {
        failed += tr.train_sample(bench::w2_data.input(static_cast<std::size_t>(s)),
                                  bench::w2_data.target(static_cast<std::size_t>(s))) != mp::status::ok;
    }
    std::printf("%d failed, last loss %g\n", failed, static_cast<double>(tr.last_loss()));
    return failed;
}
