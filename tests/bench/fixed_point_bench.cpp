// Instructions per training sample and per inference of a q3_12 (fixed-point)
// network, for workload W1, W2 or W3 of workloads.hpp (BENCH_WORKLOAD = 1, 2 or 3), under
// QEMU -icount like cortex_m_bench.cpp and with the same data, quantised at compile
// time (every value is a multiple of 1/16, exact in Q3.12); per-sample momentum where it fits
// the port's RAM. Output, one line per mode:
//   bench workload=W2 scalar=q3_12 mode=sgd insn_per_sample=... ram_bytes=... float_ram_bytes=...
// A workload whose network and SGD trainer do not fit the port's RAM (W3 on the M0) prints
//   bench workload=W3 scalar=q3_12 mode=infer skipped: needs ... bytes of RAM (and for sgd and momentum).
#include <stddef.h>
#include <stdint.h>

#include <new>

#include <console.hpp>
#include <microprop/fixed_point.hpp>
#include <port.h>

#include "icount.hpp"
#include "workloads.hpp"

#ifndef BENCH_WORKLOAD
#define BENCH_WORKLOAD 2
#endif

namespace {

namespace mp = microprop;

#if BENCH_WORKLOAD == 1
using float_net = bench::w1_net;
using loss_t = bench::w1_loss;
constexpr const auto& float_data = bench::w1_data;
constexpr const char* workload = "W1";
#elif BENCH_WORKLOAD == 3
using float_net = bench::w3_net;
using loss_t = bench::w3_loss;
constexpr const auto& float_data = bench::w3_data;
constexpr const char* workload = "W3";
#else
using float_net = bench::w2_net;
using loss_t = bench::w2_loss;
constexpr const auto& float_data = bench::w2_data;
constexpr const char* workload = "W2";
#endif
/// The float workload's topology in q3_12.
template <class FloatNet>
struct in_q3_12;
template <class... Layers>
struct in_q3_12<mp::network<float, Layers...>> {
    using type = mp::network<mp::q3_12, Layers...>;
};
using net_t = in_q3_12<float_net>::type;
constexpr std::size_t warmup = 64, reps = 256;

/// A data set of workloads.hpp in Q3.12 (values in [0, 1]: rounding is v * 4096 + 0.5).
template <class Set>
struct fixed_set {
    mp::q3_12 x[Set::samples][Set::inputs]{};
    mp::q3_12 d[Set::samples][Set::outputs]{};
    /// Sample s (mod samples), an array of inputs values.
    constexpr const mp::q3_12 (&input(std::size_t s) const)[Set::inputs] { return x[s % Set::samples]; }
    /// Target s (mod samples), an array of outputs values.
    constexpr const mp::q3_12 (&target(std::size_t s) const)[Set::outputs] { return d[s % Set::samples]; }
};
template <class Set>
constexpr fixed_set<Set> quantised(const Set& set)
{
    fixed_set<Set> q{};
    for (std::size_t s = 0; s < Set::samples; ++s) {
        for (std::size_t i = 0; i < Set::inputs; ++i) q.x[s][i] = mp::q3_12::from_raw(static_cast<std::int32_t>(set.x[s][i] * 4096.0f + 0.5f));
        for (std::size_t k = 0; k < Set::outputs; ++k) q.d[s][k] = mp::q3_12::from_raw(static_cast<std::int32_t>(set.d[s][k] * 4096.0f + 0.5f));
    }
    return q;
}
constexpr auto data = quantised(float_data);

using sgd_trainer = mp::trainer<net_t, loss_t, mp::sgd>;
using momentum_trainer = mp::trainer<net_t, loss_t, mp::momentum>;
using float_sgd_trainer = mp::trainer<float_net, loss_t, mp::sgd>;

#ifndef BENCH_RAM_BYTES
#define BENCH_RAM_BYTES 1073741824u
#endif
/// Inference and per-sample SGD run when the network, its SGD trainer and 3 KB for the rest fit
/// the port's RAM; per-sample momentum when the network, its trainer and 3 KB do.
constexpr bool run_sgd = sizeof(net_t) + sizeof(sgd_trainer) + 3072u <= BENCH_RAM_BYTES;
constexpr bool run_momentum = sizeof(net_t) + sizeof(momentum_trainer) + 3072u <= BENCH_RAM_BYTES;

/// The network's bytes (one byte when it does not fit: nothing runs then).
alignas(net_t) unsigned char net_slot[run_sgd ? sizeof(net_t) : 1];
double ticks_per_instruction = 1.0;

__attribute__((noinline)) void empty_body(const mp::q3_12*, const mp::q3_12*) { __asm volatile("" ::: "memory"); }

void report(const char* mode, double per_sample, std::size_t macs, float value)
{
    console::print("bench workload=", workload, " scalar=q3_12 mode=", mode, " insn_per_sample=",
                   console::fixed{per_sample, 1}, " floor_macs=", static_cast<uint32_t>(macs), " insn_per_mac=",
                   console::fixed{per_sample / static_cast<double>(macs), 3}, " value=", console::sci{value, 4},
                   "\n");
}

/// Every mode; a template so that a network that does not fit is not even instantiated.
template <bool Fits>
int run_modes()
{
    if constexpr (!Fits) {
        console::print("bench workload=", workload, " scalar=q3_12 mode=infer skipped: needs ",
                       static_cast<uint32_t>(sizeof(net_t)), " bytes of RAM\n");
        console::print("bench workload=", workload, " scalar=q3_12 mode=sgd skipped: needs ",
                       static_cast<uint32_t>(sizeof(net_t) + sizeof(sgd_trainer)), " bytes of RAM\n");
        console::print("bench workload=", workload, " scalar=q3_12 mode=momentum skipped: needs ",
                       static_cast<uint32_t>(sizeof(net_t) + sizeof(momentum_trainer)), " bytes of RAM\n");
        return 0;
    } else {
        net_t& net = *new (net_slot) net_t();
        ticks_per_instruction = icount::calibrate();
        const double harness =
            icount::instructions([](std::size_t s) { empty_body(data.input(s), data.target(s)); }, 256,
                                 ticks_per_instruction) / 256.0;
        int failures = 0;

        net.initialize(1);
        float sink = 0.0f;
        for (std::size_t s = 0; s < warmup; ++s) sink += static_cast<float>(net.forward(data.input(s))[0]);
        double n = icount::instructions(
            [&](std::size_t s) { sink += static_cast<float>(net.forward(data.input(s))[0]); }, reps,
            ticks_per_instruction);
        report("infer", n / reps - harness, bench::inference_macs<net_t>(), sink);

        net.initialize(1);
        sgd_trainer tr(net, mp::sgd{bench::learning_rate, 0.0f});
        for (std::size_t s = 0; s < warmup; ++s) {
            failures += tr.train_sample(data.input(s), data.target(s)) != mp::status::ok;
        }
        mp::reset_saturation_count();
        n = icount::instructions(
            [&](std::size_t s) { failures += tr.train_sample(data.input(s), data.target(s)) != mp::status::ok; }, reps,
            ticks_per_instruction);
        report("sgd", n / reps - harness, bench::floor_macs<net_t>(), static_cast<float>(tr.last_loss()));

        if constexpr (run_momentum) {
            alignas(momentum_trainer) static unsigned char slot[sizeof(momentum_trainer)];
            net.initialize(1);
            momentum_trainer* momentum_tr =
                new (slot) momentum_trainer(net, mp::momentum{bench::learning_rate, 0.9f});
            for (std::size_t s = 0; s < warmup; ++s) {
                failures += momentum_tr->train_sample(data.input(s), data.target(s)) != mp::status::ok;
            }
            n = icount::instructions(
                [&](std::size_t s) {
                    failures += momentum_tr->train_sample(data.input(s), data.target(s)) != mp::status::ok;
                },
                reps, ticks_per_instruction);
            report("momentum", n / reps - harness, bench::floor_macs<net_t>(),
                   static_cast<float>(momentum_tr->last_loss()));
        } else {
            console::print("bench workload=", workload, " scalar=q3_12 mode=momentum skipped: needs ",
                           static_cast<uint32_t>(sizeof(net_t) + sizeof(momentum_trainer)), " bytes of RAM\n");
        }

        const std::size_t ram = sizeof(net) + sizeof(tr);
        const std::size_t float_ram = sizeof(float_net) + sizeof(float_sgd_trainer);
        console::print("bench workload=", workload, " scalar=q3_12 ram_bytes=", static_cast<uint32_t>(ram),
                       " float_ram_bytes=", static_cast<uint32_t>(float_ram), " ram_ratio=",
                       console::fixed{static_cast<double>(ram) / static_cast<double>(float_ram), 3},
                       " saturations=", mp::saturation_count(), " failures=", failures, "\n");
        return failures == 0 ? 0 : 1;
    }
}

}  // namespace

int main()
{
    microprop_port_init();
    return run_modes<run_sgd>();
}
