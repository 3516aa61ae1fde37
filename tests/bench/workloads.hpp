// The benchmark workloads of issue 4, defined once for every benchmark program.
//
//   W1: 2-8-1, sigmoid hidden and output, squared error, XOR data (4 samples).
//   W2: 64-32-10, ReLU hidden, softmax cross-entropy.
//   W3: 784-64-10, ReLU hidden, softmax cross-entropy (50,890 parameters).
//   W4: 13-16-3, ReLU hidden, softmax cross-entropy (a wine-like shape; issue 14).
//   W5: 30-16-2, ReLU hidden, softmax cross-entropy (a breast-cancer-like shape; issue 14).
//   W4 and W5 have input widths that are not a multiple of the VFP kernels' 16-wide blocks.
//
// Data for W2 to W5 is synthetic and deterministic (the same bytes on every
// platform): kSamples samples of 10 classes, each a fixed random "glyph" (half
// of the pixels lit, intensities 0..16 like the 8x8 digits data) plus bounded
// per-sample noise, scaled to [0, 1]. It is generated at compile time and kept
// in flash. Instruction counts do not depend on the data except through
// dead-unit skipping (hidden ReLU units that are inactive on a sample); every
// table says which data it used.
#ifndef MICROPROP_BENCH_WORKLOADS_HPP
#define MICROPROP_BENCH_WORKLOADS_HPP

#include <array>
#include <cstddef>
#include <cstdint>

#include <microprop/microprop.hpp>

namespace bench {

namespace mp = microprop;

/// Learning rate of every SGD workload (issue 4: per-sample SGD, float32, lr 0.01).
constexpr float learning_rate = 0.01f;
/// Minibatch size of the minibatch modes.
constexpr std::size_t batch = 32;

using w1_net = mp::network<float, mp::dense<2, 8>, mp::sigmoid, mp::dense<8, 1>, mp::sigmoid>;
using w1_loss = mp::squared_error;
using w2_net = mp::network<float, mp::dense<64, 32>, mp::relu, mp::dense<32, 10>, mp::softmax>;
using w2_loss = mp::cross_entropy;
using w3_net = mp::network<float, mp::dense<784, 64>, mp::relu, mp::dense<64, 10>, mp::softmax>;
using w3_loss = mp::cross_entropy;
using w4_net = mp::network<float, mp::dense<13, 16>, mp::relu, mp::dense<16, 3>, mp::softmax>;
using w4_loss = mp::cross_entropy;
using w5_net = mp::network<float, mp::dense<30, 16>, mp::relu, mp::dense<16, 2>, mp::softmax>;
using w5_loss = mp::cross_entropy;

/// Samples, inputs and one-hot targets, `[Samples][In]` and `[Samples][Out]`.
template <std::size_t Samples, std::size_t In, std::size_t Out>
struct data_set {
    static constexpr std::size_t samples = Samples;
    static constexpr std::size_t inputs = In;
    static constexpr std::size_t outputs = Out;
    float x[Samples][In]{};
    float d[Samples][Out]{};
    /// Sample s (mod Samples): an array of In values, so its length is checked at compile time.
    constexpr const float (&input(std::size_t s) const)[In] { return x[s % Samples]; }
    /// Target s (mod Samples), Out values.
    constexpr const float (&target(std::size_t s) const)[Out] { return d[s % Samples]; }
    /// The first `count` samples, `[count][In]`. Precondition: count <= Samples.
    constexpr mp::span<const float> first_inputs(std::size_t count) const { return mp::rows(x, 0, count); }
    /// The first `count` targets, `[count][Out]`.
    constexpr mp::span<const float> first_targets(std::size_t count) const { return mp::rows(d, 0, count); }
};

/// XOR, repeated to 32 samples so that minibatch modes have a full batch.
constexpr data_set<32, 2, 1> make_xor()
{
    data_set<32, 2, 1> set{};
    for (std::size_t s = 0; s < 32; ++s) {
        const float a = static_cast<float>(s & 1u);
        const float b = static_cast<float>((s >> 1) & 1u);
        set.x[s][0] = a;
        set.x[s][1] = b;
        set.d[s][0] = (s & 1u) != ((s >> 1) & 1u) ? 1.0f : 0.0f;
    }
    return set;
}

/// A small deterministic generator (32-bit LCG, top bits) usable in constexpr.
struct lcg {
    std::uint32_t state;
    constexpr std::uint32_t next(std::uint32_t range)
    {
        state = state * 1664525u + 1013904223u;
        return (state >> 8) % range;
    }
};

/// Glyph-plus-noise classification data: sample s belongs to class s % Classes.
template <std::size_t Samples, std::size_t In, std::size_t Classes = 10>
constexpr data_set<Samples, In, Classes> make_glyphs(std::uint32_t seed)
{
    data_set<Samples, In, Classes> set{};
    std::array<std::uint8_t, Classes * In> glyph{};
    lcg rng{seed};
    for (auto& p : glyph) p = rng.next(2) == 0 ? 0 : static_cast<std::uint8_t>(4 + rng.next(13));
    for (std::size_t s = 0; s < Samples; ++s) {
        const std::size_t c = s % Classes;
        for (std::size_t i = 0; i < In; ++i) {
            int v = glyph[c * In + i];
            v += static_cast<int>(rng.next(9)) - 4;
            v = v < 0 ? 0 : (v > 16 ? 16 : v);
            set.x[s][i] = static_cast<float>(v) / 16.0f;
        }
        set.d[s][c] = 1.0f;
    }
    return set;
}

inline constexpr data_set<32, 2, 1> w1_data = make_xor();
inline constexpr data_set<32, 64, 10> w2_data = make_glyphs<32, 64>(2024u);
inline constexpr data_set<32, 784, 10> w3_data = make_glyphs<32, 784>(784u);
inline constexpr data_set<32, 13, 3> w4_data = make_glyphs<32, 13, 3>(13u);
inline constexpr data_set<32, 30, 2> w5_data = make_glyphs<32, 30, 2>(30u);
constexpr const char* data_description = "synthetic glyphs (tests/bench/workloads.hpp)";

/// Multiply-accumulates of one per-sample SGD step: forward (one per weight),
/// hidden-layer deltas (one per weight above the first layer) and the fused
/// gradient-and-update (one per weight), as issue 4 defines the floor.
template <class Net>
constexpr std::size_t floor_macs()
{
    std::size_t macs = 0;
    for (std::size_t l = 0; l < Net::layer_count; ++l) {
        const std::size_t weights = Net::layers[l].inputs * Net::layers[l].outputs;
        macs += (l == 0 ? 2 : 3) * weights;
    }
    return macs;
}
/// Multiply-accumulates of one inference (one per weight).
template <class Net>
constexpr std::size_t inference_macs()
{
    std::size_t macs = 0;
    for (std::size_t l = 0; l < Net::layer_count; ++l) macs += Net::layers[l].inputs * Net::layers[l].outputs;
    return macs;
}

}  // namespace bench

#endif
