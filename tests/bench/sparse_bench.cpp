// Instructions per inference and flash bytes of the W2 network (64-32-10, ReLU, softmax)
// pruned 0, 25, 50, 75, 90 and 100% (the last: what everything but the weights costs), as a
// sparse<> (include/microprop/sparse.hpp) against the dense frozen<float> and frozen<int8_t>
// stacks (frozen.hpp) over the same pruned weights, under QEMU -icount like
// cortex_m_bench.cpp (tests/bench/README.md, "Pruned networks").
//
// Everything is computed at compile time and lives in flash: the weights (He-uniform draws
// of the library's generator, seed 1, biases 0.01), global magnitude pruning (the weights
// with the smallest |w|, as magnitude_saliency + prune_lowest choose them), the sparse
// form (sparse<>::compress) and the int8 form (frozen<int8_t>::quantize). So the program
// fits the 16 KB of RAM of the M0. Inputs are the first 32 samples of workloads.hpp's W2
// data. Output, one line per level and form:
//   bench workload=W2 pruned=50 form=sparse kept=1184 insn_per_inference=... flash_bytes=... ram_bytes=... value=...
#include <stddef.h>
#include <stdint.h>

#include <console.hpp>
#include <microprop/frozen.hpp>
#include <microprop/random.hpp>
#include <microprop/sparse.hpp>
#include <port.h>

#include "icount.hpp"
#include "workloads.hpp"

namespace {

namespace mp = microprop;

using net_t = bench::w2_net;
using dense_float = mp::inference_only<net_t>;
using dense_int8 = mp::inference_only<net_t, std::int8_t>;
using parameters = std::array<float, net_t::parameter_count>;
constexpr std::size_t weight_count = dense_float::weight_count;
constexpr std::size_t warmup = 8, reps = 64;

/// He-uniform weights U(-a, a), a = sqrt(6 / inputs) (64 and 32 inputs), biases 0.01.
constexpr parameters drawn_weights()
{
    parameters p{};
    mp::random_generator rng(1);
    constexpr float limits[2] = {0.30618622f, 0.4330127f};
    for (std::size_t l = 0; l < net_t::layer_count; ++l) {
        const mp::layer_info& layer = net_t::layers[l];
        for (std::size_t k = 0; k < layer.inputs * layer.outputs; ++k) {
            p[layer.weight_offset + k] = limits[l] * (2.0f * rng.uniform<float>() - 1.0f);
        }
        for (std::size_t k = 0; k < layer.outputs; ++k) p[layer.bias_offset + k] = 0.01f;
    }
    return p;
}
constexpr parameters drawn = drawn_weights();

constexpr std::uint32_t magnitude_bits(float w) { return __builtin_bit_cast(std::uint32_t, w) & 0x7fffffffu; }

/// Weights of `p` whose |w| has bits below `bits`, set to zero when `prune` (few constexpr
/// steps per weight: Clang's limit is a million).
constexpr std::size_t below(parameters& p, std::uint32_t bits, bool prune)
{
    std::size_t count = 0;
    for (std::size_t l = 0; l < net_t::layer_count; ++l) {
        const std::size_t first = net_t::layers[l].weight_offset;
        const std::size_t last = first + net_t::layers[l].inputs * net_t::layers[l].outputs;
        for (std::size_t q = first; q < last; ++q) {
            if (magnitude_bits(p[q]) >= bits) continue;
            ++count;
            if (prune) p[q] = 0.0f;
        }
    }
    return count;
}

/// `drawn` with its `percent`% smallest weights by magnitude set to zero (global threshold,
/// found by bisection on the bits of |w|, which order like the magnitudes; no ties here).
constexpr parameters pruned(std::size_t percent)
{
    parameters p = drawn;
    const std::size_t target = weight_count * percent / 100;
    std::uint32_t low = 0, high = 0x7f800000u;  // below(low) <= target < below(high)
    while (high - low > 1) {
        const std::uint32_t mid = low + (high - low) / 2;
        (below(p, mid, false) <= target ? low : high) = mid;
    }
    below(p, low, true);
    return p;
}

/// One pruning level: the pruned float parameters and their sparse and int8 forms, in flash.
template <std::size_t Percent>
struct level {
    static constexpr parameters dense = pruned(Percent);
    static constexpr std::size_t kept = mp::sparse_kept_weights<net_t>(dense);
    using sparse_t = mp::sparse<net_t, kept>;
    static constexpr typename sparse_t::parameters_type compressed = sparse_t::compress(dense);
    static constexpr dense_int8::parameters_type quantized = dense_int8::quantize(dense);
    static_assert(sparse_t::check(compressed) == mp::status::ok, "");
};

/// The W2 inputs as std::arrays (what forward takes).
constexpr std::array<std::array<float, 64>, 32> make_inputs()
{
    std::array<std::array<float, 64>, 32> x{};
    for (std::size_t s = 0; s < 32; ++s) {
        for (std::size_t i = 0; i < 64; ++i) x[s][i] = bench::w2_data.x[s][i];
    }
    return x;
}
constexpr std::array<std::array<float, 64>, 32> inputs = make_inputs();

double ticks_per_instruction = 1.0;
double harness = 0.0;

__attribute__((noinline)) void empty_body(const std::array<float, 64>&) { __asm volatile("" ::: "memory"); }

/// Instructions of one forward pass of `model` (harness subtracted), and a line.
template <class Model>
void measure(Model& model, std::size_t percent, const char* form, std::size_t kept, std::size_t flash_bytes)
{
    float sink = 0.0f;
    for (std::size_t s = 0; s < warmup; ++s) sink += model.forward(inputs[s % 32])[0];
    const double n = icount::instructions([&](std::size_t s) { sink += model.forward(inputs[s % 32])[0]; }, reps,
                                          ticks_per_instruction);
    console::print("bench workload=W2 pruned=", static_cast<uint32_t>(percent), " form=", form,
                   " kept=", static_cast<uint32_t>(kept), " insn_per_inference=", console::fixed{n / reps - harness, 1},
                   " flash_bytes=", static_cast<uint32_t>(flash_bytes),
                   " ram_bytes=", static_cast<uint32_t>(sizeof(Model)), " value=", console::sci{sink, 4}, "\n");
}

template <std::size_t Percent>
void run_level()
{
    using L = level<Percent>;
    static dense_float float_model(L::dense);
    static dense_int8 int8_model(L::quantized);
    static typename L::sparse_t sparse_model(L::compressed);
    measure(float_model, Percent, "float", weight_count, dense_float::flash_bytes);
    measure(int8_model, Percent, "int8", weight_count, dense_int8::flash_bytes);
    measure(sparse_model, Percent, "sparse", L::kept, L::sparse_t::flash_bytes);
}

}  // namespace

int main()
{
    microprop_port_init();
    ticks_per_instruction = icount::calibrate();
    harness = icount::instructions([](std::size_t s) { empty_body(inputs[s % 32]); }, 256, ticks_per_instruction) / 256.0;
    run_level<0>();
    run_level<25>();
    run_level<50>();
    run_level<75>();
    run_level<90>();
    run_level<100>();
    return 0;
}
