// Instructions per training sample and per inference, for one workload of
// workloads.hpp (BENCH_WORKLOAD = 1 to 5), on whatever port it is linked to.
//
// Under QEMU -icount the port counter advances a fixed number of ticks per
// executed instruction; the program measures that ratio itself on a loop of
// known length (2 instructions per iteration) in the same run, so it prints
// instructions whatever the counter's clock. Set-up and a warm-up are
// excluded; the harness loop's own cost (measured with an empty body) is
// subtracted. Output, one line per mode, machine-readable:
//   bench workload=W2 mode=sgd insn_per_sample=5123.4 floor_macs=5056 insn_per_mac=1.013 ...
#include <stddef.h>
#include <stdint.h>

#include <array>
#include <new>
#include <tuple>

#include <console.hpp>
#include <port.h>

#include "icount.hpp"
#include "workloads.hpp"

#ifndef BENCH_WORKLOAD
#define BENCH_WORKLOAD 2
#endif
/// Modes to run (bit mask): 1 inference, 2 per-sample SGD, 4 minibatch SGD, 8 minibatch Adam.
#ifndef BENCH_VARIANT
#define BENCH_VARIANT "default"
#endif
#if defined(MICROPROP_SKIP_DEAD_UNITS) && MICROPROP_SKIP_DEAD_UNITS && \
    !(defined(MICROPROP_FORCE_REFERENCE_KERNELS) && MICROPROP_FORCE_REFERENCE_KERNELS)
constexpr const char* dead_unit_skipping = "on";
#else
constexpr const char* dead_unit_skipping = "off";
#endif
#ifndef BENCH_MODES
#define BENCH_MODES 15
#endif

namespace {

// The workload's network, loss and data, picked from workloads.hpp by number.
using workload_nets = std::tuple<bench::w1_net, bench::w2_net, bench::w3_net, bench::w4_net, bench::w5_net>;
using workload_losses =
    std::tuple<bench::w1_loss, bench::w2_loss, bench::w3_loss, bench::w4_loss, bench::w5_loss>;
using net_t = std::tuple_element_t<BENCH_WORKLOAD - 1, workload_nets>;
using loss_t = std::tuple_element_t<BENCH_WORKLOAD - 1, workload_losses>;
constexpr const auto& data = std::get<BENCH_WORKLOAD - 1>(
    std::forward_as_tuple(bench::w1_data, bench::w2_data, bench::w3_data, bench::w4_data, bench::w5_data));
constexpr const char* workload = std::array<const char*, 5>{"W1", "W2", "W3", "W4", "W5"}[BENCH_WORKLOAD - 1];
// W3 steps are long, W2's middling: fewer repetitions keep every run a few seconds.
constexpr std::size_t warmup = BENCH_WORKLOAD == 3 ? 32 : 64;
constexpr std::size_t reps = BENCH_WORKLOAD == 3 ? 32 : (BENCH_WORKLOAD == 2 ? 256 : 512);
constexpr std::size_t batch = bench::batch;
static_assert(decltype(bench::w2_data)::samples >= batch, "");

__attribute__((noinline)) void empty_body(const float*, const float*) { __asm volatile("" ::: "memory"); }

double ticks_per_instruction = 1.0;
double harness_cost_per_batch = 0.0;

void calibrate() { ticks_per_instruction = icount::calibrate(); }

template <class F>
double instructions(F&& body, std::size_t n)
{
    return icount::instructions(body, n, ticks_per_instruction);
}

/// Harness cost of one iteration calling a function with two pointers.
double harness_cost(std::size_t n)
{
    return instructions([](std::size_t s) { empty_body(data.input(s), data.target(s)); }, n) /
           static_cast<double>(n);
}

void report(const char* mode, double per_sample, std::size_t macs, double loss)
{
    console::print("bench workload=", workload, " mode=", mode, " insn_per_sample=",
                   console::fixed{per_sample, 1}, " floor_macs=", static_cast<uint32_t>(macs),
                   " insn_per_mac=", console::fixed{per_sample / static_cast<double>(macs), 3},
                   " value=", console::sci{loss, 4}, "\n");
}

int failures = 0;
void check(microprop::status s)
{
    if (s != microprop::status::ok) ++failures;
}

namespace mp = microprop;
using sgd_trainer = mp::trainer<net_t, loss_t, mp::sgd>;
using batch_sgd_trainer = mp::trainer<net_t, loss_t, mp::sgd, batch>;
using batch_adam_trainer = mp::trainer<net_t, loss_t, mp::adam, batch>;

#ifndef BENCH_RAM_BYTES
#define BENCH_RAM_BYTES 1073741824u
#endif
/// A mode runs when the network, its trainer and 3 KB for stack and the rest fit the port's RAM.
constexpr bool fits(std::size_t trainer_bytes)
{
    return sizeof(net_t) + trainer_bytes + 3072u <= BENCH_RAM_BYTES;
}
constexpr bool run_infer = (BENCH_MODES & 1) != 0 && fits(0);
constexpr bool run_sgd = (BENCH_MODES & 2) != 0 && fits(sizeof(sgd_trainer));
constexpr bool run_batch_sgd = (BENCH_MODES & 4) != 0 && fits(sizeof(batch_sgd_trainer));
constexpr bool run_adam = (BENCH_MODES & 8) != 0 && fits(sizeof(batch_adam_trainer));

constexpr std::size_t max_of(std::size_t a, std::size_t b) { return a > b ? a : b; }
/// One network and one trainer slot shared by the modes, so RAM is the largest mode's.
net_t net;
alignas(8) unsigned char trainer_slot[max_of(
    max_of(run_sgd ? sizeof(sgd_trainer) : 1, run_batch_sgd ? sizeof(batch_sgd_trainer) : 1),
    run_adam ? sizeof(batch_adam_trainer) : 1)];

void skipped(const char* mode, int bit, std::size_t bytes)
{
    if ((BENCH_MODES & bit) == 0) return;
    console::print("bench workload=", workload, " mode=", mode, " skipped: needs ",
                   static_cast<uint32_t>(sizeof(net_t) + bytes), " bytes of RAM\n");
}

template <class Trainer>
void run_batch(const char* mode, Trainer& tr)
{
    for (std::size_t s = 0; s < 2; ++s) check(tr.train_batch(data.first_inputs(batch), data.first_targets(batch)));
    constexpr std::size_t steps = reps / batch > 0 ? reps / batch : 1;
    const double n = instructions([&](std::size_t) { check(tr.train_batch(data.first_inputs(batch), data.first_targets(batch))); }, steps);
    report(mode, n / (steps * batch) - harness_cost_per_batch / batch, bench::floor_macs<net_t>(), tr.last_loss());
}

/// Runs one mode; a template so that modes left out (RAM, BENCH_MODES) are not even instantiated.
template <int Mode>
void run_mode(double harness)
{
    if constexpr (Mode == 1) {
        if constexpr (run_infer) {
            net.initialize(1);
            float sink = 0.0f;
            for (std::size_t s = 0; s < warmup; ++s) sink += net.forward(data.input(s))[0];
            const double n = instructions([&](std::size_t s) { sink += net.forward(data.input(s))[0]; }, reps);
            report("infer", n / reps - harness, bench::inference_macs<net_t>(), sink);
        } else {
            skipped("infer", 1, 0);
        }
    } else if constexpr (Mode == 2) {
        if constexpr (run_sgd) {
            net.initialize(1);
            auto& tr = *new (trainer_slot) sgd_trainer(net, mp::sgd{bench::learning_rate, 0.0f});
            for (std::size_t s = 0; s < warmup; ++s) check(tr.train_sample(data.input(s), data.target(s)));
            const double n =
                instructions([&](std::size_t s) { check(tr.train_sample(data.input(s), data.target(s))); }, reps);
            report("sgd", n / reps - harness, bench::floor_macs<net_t>(), tr.last_loss());
            // What the opt-in guards cost: the test of every weight before each step, and
            // per-layer gradient clipping (a threshold that never clips: its norms alone).
            for (int guard = 0; guard < 2; ++guard) {
                net.initialize(1);
                auto& guarded = *new (trainer_slot) sgd_trainer(net, mp::sgd{bench::learning_rate, 0.0f});
                if (guard == 0) guarded.check_parameters = true;
                if (guard == 1) guarded.optimizer().gradient_clip = 1e30f;
                for (std::size_t s = 0; s < warmup; ++s) check(guarded.train_sample(data.input(s), data.target(s)));
                const double g = instructions(
                    [&](std::size_t s) { check(guarded.train_sample(data.input(s), data.target(s))); }, reps);
                report(guard == 0 ? "sgd_checked" : "sgd_clipped", g / reps - harness, bench::floor_macs<net_t>(),
                       guarded.last_loss());
            }
        } else {
            skipped("sgd", 2, sizeof(sgd_trainer));
        }
    } else if constexpr (Mode == 4) {
        if constexpr (run_batch_sgd) {
            net.initialize(1);
            run_batch("sgd_batch32", *new (trainer_slot) batch_sgd_trainer(net, mp::sgd{bench::learning_rate, 0.0f}));
        } else {
            skipped("sgd_batch32", 4, sizeof(batch_sgd_trainer));
        }
    } else {
        if constexpr (run_adam) {
            net.initialize(1);
            run_batch("adam_batch32", *new (trainer_slot) batch_adam_trainer(net, mp::adam{}));
        } else {
            skipped("adam_batch32", 8, sizeof(batch_adam_trainer));
        }
    }
}

}  // namespace

int main()
{
    microprop_port_init();
    calibrate();
    const double harness = harness_cost(256);
    harness_cost_per_batch = harness;
    console::print("bench workload=", workload, " calibration ticks_per_insn=",
                   console::fixed{ticks_per_instruction, 4}, " harness_insn=", console::fixed{harness, 1},
                   " kernels=", MICROPROP_KERNELS_NAME, " dead_unit_skipping=", dead_unit_skipping,
                   " variant=", BENCH_VARIANT, " data=\"", bench::data_description, "\"\n");
    run_mode<1>(harness);
    run_mode<2>(harness);
    run_mode<4>(harness);
    run_mode<8>(harness);
    console::print("bench workload=", workload, " ram_bytes=",
                   static_cast<uint32_t>(sizeof(net) + sizeof(trainer_slot)), " failures=",
                   static_cast<uint32_t>(failures), "\n");
    return failures == 0 ? 0 : 1;
}
