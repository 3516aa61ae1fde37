// W2 per-sample SGD steps in a loop, for tests/bench/host_instruction_mix.sh:
//   w2_step_loop          trains 10,000 samples;
//   w2_step_loop long     trains 20,000, so the difference of two callgrind runs is exactly
//                         10,000 steps (set-up excluded);
//   w2_step_loop time     prints the time of one step in ns (best of 15 runs of 200,000 steps,
//                         after 200,000 steps of warm-up);
//   w2_step_loop clock    prints the core's clock in MHz while busy, from a chain of dependent
//                         one-cycle integer additions (x86-64 only): the nominal frequency in
//                         /proc/cpuinfo is not the one a busy core runs at;
//   w2_step_loop rates    prints how many 256-bit FMAs, loads and stores the core completes per
//                         cycle, each kind alone, independent and L1-resident (AVX2 + FMA only).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "workloads.hpp"


namespace {

double seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int clock_mhz()
{
#if defined(__x86_64__)
    double best = 1e9;
    for (int run = 0; run < 5; ++run) {
        long additions = 400000000, value = 0;
        const auto start = std::chrono::steady_clock::now();
        __asm__ volatile("1: add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tsub $4, %1\n\tjnz 1b"
                         : "+r"(value), "+r"(additions));
        best = std::min(best, seconds_since(start));
    }
    std::printf("%.0f\n", 400.0 / best);  // 4e8 additions, one cycle each
    return 0;
#else
    std::puts("0");
    return 1;
#endif
}

/// Operations per cycle of each kind alone, in assembly so that the compiler cannot merge or
/// drop any: 12 independent FMA chains on registers (more than FMA latency times FMA units),
/// 12 loads from L1, 12 stores to L1, per round.
int rates(int mhz)
{
#if defined(__x86_64__) && defined(__AVX__) && defined(__FMA__)
    alignas(64) static float buffer[12 * 8];
    constexpr long rounds = 20000000;
    auto best_of = [](auto&& body) {
        double best = 1e9;
        for (int run = 0; run < 5; ++run) {
            const auto start = std::chrono::steady_clock::now();
            body();
            best = std::min(best, seconds_since(start));
        }
        return best;
    };
#define MICROPROP_TWELVE(op) op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7) op(8) op(9) op(10) op(11)
#define MICROPROP_FMA(k) "vfmadd231ps %%ymm12, %%ymm13, %%ymm" #k "\n\t"
#define MICROPROP_LOAD(k) "vmovaps " #k "*32(%1), %%ymm" #k "\n\t"
#define MICROPROP_STORE(k) "vmovaps %%ymm" #k ", " #k "*32(%1)\n\t"
#define MICROPROP_CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", \
                           "xmm10", "xmm11", "xmm12", "xmm13", "memory"
    const double fma = best_of([] {
        long n = rounds;
        __asm__ volatile("vxorps %%xmm12, %%xmm12, %%xmm12\n\tvxorps %%xmm13, %%xmm13, %%xmm13\n"
                         "1:\n\t" MICROPROP_TWELVE(MICROPROP_FMA) "dec %0\n\tjnz 1b"
                         : "+r"(n) : "r"(buffer) : MICROPROP_CLOBBERS);
    });
    const double load = best_of([] {
        long n = rounds;
        __asm__ volatile("1:\n\t" MICROPROP_TWELVE(MICROPROP_LOAD) "dec %0\n\tjnz 1b"
                         : "+r"(n) : "r"(buffer) : MICROPROP_CLOBBERS);
    });
    const double store = best_of([] {
        long n = rounds;
        __asm__ volatile("1:\n\t" MICROPROP_TWELVE(MICROPROP_STORE) "dec %0\n\tjnz 1b"
                         : "+r"(n) : "r"(buffer) : MICROPROP_CLOBBERS);
    });
    const double cycles = rounds * 12.0 / (mhz * 1e6);
    std::printf("%.2f %.2f %.2f\n", cycles / fma, cycles / load, cycles / store);
    return 0;
#else
    (void)mhz;
    std::puts("0 0 0");
    return 1;
#endif
}

}  // namespace

int main(int argc, char** argv)
{
    namespace mp = microprop;
    const char* mode = argc > 1 ? argv[1] : "";
    if (std::strcmp(mode, "clock") == 0) return clock_mhz();
    if (std::strcmp(mode, "rates") == 0 && argc > 2) return rates(std::atoi(argv[2]));
    static bench::w2_net net;
    net.initialize(1);
    mp::trainer<bench::w2_net, bench::w2_loss, mp::sgd> tr(net, mp::sgd{bench::learning_rate, 0.0f});
    int failed = 0;
    auto train = [&](int steps) {
        for (int s = 0; s < steps; ++s) {
            failed += tr.train_sample(bench::w2_data.input(static_cast<std::size_t>(s)),
                                      bench::w2_data.target(static_cast<std::size_t>(s))) != mp::status::ok;
        }
    };
    if (std::strcmp(mode, "time") == 0) {
        constexpr int steps = 200000;
        train(steps);
        double best = 1e9;
        for (int run = 0; run < 15; ++run) {
            const auto start = std::chrono::steady_clock::now();
            train(steps);
            best = std::min(best, seconds_since(start));
        }
        std::printf("%.1f\n", best * 1e9 / steps);
        return failed;
    }
    train(std::strcmp(mode, "long") == 0 ? 20000 : 10000);
    std::printf("%d failed, last loss %g\n", failed, static_cast<double>(tr.last_loss()));
    return failed;
}
