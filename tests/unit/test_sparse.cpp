// Sparse inference of pruned networks (include/microprop/sparse.hpp) against the dense
// network with the same mask applied: random networks pruned 0%, 50%, 90% and 100% of a
// layer give the dense outputs within float rounding (the two sum in different orders);
// a hand-computed 3-2 layer and a layer pruned away entirely (f(bias) alone) against closed
// forms; tied layers; the byte counts against their formulas; compress() refusing too small
// a capacity and non-finite kept parameters without touching its output; check() refusing
// corrupt counts and indices; the constexpr path, checked at compile time.
#include <microprop/microprop.hpp>
#include <microprop/pruning.hpp>
#include <microprop/sparse.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "numeric_support.hpp"

namespace {

namespace mp = microprop;

// Three layers, so both hidden ping-pong buffers are used; widths that are not multiples
// of the vector kernels' blocks.
using net_t = mp::network<float, mp::dense<13, 9>, mp::relu, mp::dense<9, 6>, mp::tanh, mp::dense<6, 4>, mp::softmax>;
constexpr std::size_t weight_count = 13 * 9 + 9 * 6 + 6 * 4;  // 195
using full_sparse = mp::sparse<net_t, weight_count>;
using mask_t = mp::pruning_mask<net_t>;

static_assert(std::is_same<full_sparse::parameters_type::index_type, std::uint8_t>::value, "");
static_assert(std::is_same<mp::sparse_parameters<mp::network<float, mp::dense<256, 2>>, 1>::index_type,
                           std::uint8_t>::value,
              "256 inputs still fit a byte index");
static_assert(std::is_same<mp::sparse_parameters<mp::network<float, mp::dense<257, 2>>, 1>::index_type,
                           std::uint16_t>::value,
              "");
static_assert(std::is_same<mp::sparse_parameters<mp::network<float, mp::dense<256, 2>>, 1>::count_type,
                           std::uint16_t>::value,
              "a row of 256 kept weights needs a 16-bit count");
// Bytes: 5 per kept weight, 5 per row (19 rows), padded to 4.
static_assert(full_sparse::row_count == 19, "");
static_assert(full_sparse::flash_bytes == 195 * 5 + 19 * 5 + 2, "");
static_assert(mp::sparse<net_t, 40>::flash_bytes == 40 * 5 + 19 * 5 + 1, "");
static_assert(sizeof(full_sparse) == full_sparse::ram_bytes, "");
static_assert(full_sparse::ram_bytes == 2 * 9 * 4 + sizeof(void*) + 4 * 4, "");

// The constexpr path: a 3-2 layer with two zero weights, compressed at compile time.
using tiny_net = mp::network<float, mp::dense<3, 2>>;
constexpr std::array<float, 8> tiny_parameters = {0.5f, 0.0f, -2.0f,  // row 0: W(0, 1) pruned
                                                  0.0f, 0.25f, 1.0f,  // row 1: W(1, 0) pruned
                                                  0.125f, -1.0f};     // biases
constexpr std::size_t tiny_kept = mp::sparse_kept_weights<tiny_net>(tiny_parameters);
static_assert(tiny_kept == 4, "");
using tiny_sparse = mp::sparse<tiny_net, tiny_kept>;
constexpr tiny_sparse::parameters_type tiny_compressed = tiny_sparse::compress(tiny_parameters);
static_assert(tiny_compressed.kept[0] == 2 && tiny_compressed.kept[1] == 2, "");
static_assert(tiny_compressed.indices[0] == 0 && tiny_compressed.indices[1] == 2, "");
static_assert(tiny_compressed.indices[2] == 1 && tiny_compressed.indices[3] == 2, "");
static_assert(tiny_compressed.values[1] == -2.0f && tiny_compressed.values[2] == 0.25f, "");
static_assert(tiny_compressed.biases[1] == -1.0f, "");
static_assert(tiny_sparse::check(tiny_compressed) == mp::status::ok, "");

// A tied autoencoder: layer 1 reads layer 0's matrix transposed.
using tied_net = mp::network<float, mp::dense<5, 3>, mp::tanh, mp::tied<0>, mp::sigmoid>;
using tied_sparse = mp::sparse<tied_net, 30>;

net_t net;
net_t dense;
mask_t mask;
full_sparse::parameters_type compressed;

/// Prunes about `fraction` of layer l's weights (every one when fraction >= 1), chosen by
/// the tests' own generator.
void prune_layer(std::size_t l, double fraction, std::uint32_t seed)
{
    numtest::lcg rng(seed);
    const mp::layer_info& layer = net_t::layers[l];
    for (std::size_t k = 0; k < layer.inputs * layer.outputs; ++k) {
        const double u = 0.5 * (rng.symmetric() + 1.0);  // [0, 1)
        if (fraction >= 1.0 || u < fraction) mask.prune(layer.weight_offset + k);
    }
}

/// |sparse - dense| <= 1e-5 max(1, |dense|) on every output, over a few random inputs; the
/// two forward passes sum each row in different orders (vector kernels, unrolled engine).
bool matches_dense(const char* what)
{
    full_sparse model(compressed);
    numtest::lcg rng(99);
    bool ok = true;
    for (int sample = 0; sample < 4; ++sample) {
        std::array<float, net_t::input_size> x{};
        for (float& v : x) v = static_cast<float>(2.0 * rng.symmetric());
        const auto y = model.forward(x);
        const auto reference = dense.forward(x);
        for (std::size_t k = 0; k < net_t::output_size; ++k) {
            const double scale = std::fabs(reference[k]) > 1.0f ? std::fabs(reference[k]) : 1.0;
            ok = NUMTEST_CLOSE(y[k], reference[k], 1e-5 * scale, 0.0, what, k) && ok;
        }
    }
    return ok;
}

/// True when every byte of `object` is `value` (what compress() must leave when it refuses).
template <class Object>
bool all_bytes_are(const Object& object, unsigned char value)
{
    const unsigned char* bytes = reinterpret_cast<const unsigned char*>(&object);
    for (std::size_t k = 0; k < sizeof(object); ++k) {
        if (bytes[k] != value) return false;
    }
    return true;
}

/// A fresh random network and mask pruned by `prune`, compressed; dense = net with the mask.
template <class Prune>
bool build(std::uint32_t seed, Prune prune)
{
    numtest::fill_parameters(net, seed);
    mask.clear();
    prune();
    dense = net;
    mask.apply(dense);
    return full_sparse::compress(net, mask, compressed) == mp::status::ok;
}

}  // namespace

TEST(sparse, matches_the_dense_network_at_every_pruning_level)
{
    for (std::uint32_t seed = 1; seed <= 3; ++seed) {
        ASSERT_TRUE(build(seed, [] {}));
        EXPECT_EQ(full_sparse::kept_weights(mask), weight_count);
        EXPECT_TRUE(matches_dense("0%"));

        ASSERT_TRUE(build(seed, [seed] {
            for (std::size_t l = 0; l < net_t::layer_count; ++l) prune_layer(l, 0.5, seed * 7 + l);
        }));
        EXPECT_GT(mask.pruned_count(), weight_count / 3);
        EXPECT_LT(mask.pruned_count(), 2 * weight_count / 3);
        EXPECT_TRUE(matches_dense("50% of every layer"));

        ASSERT_TRUE(build(seed, [seed] {
            for (std::size_t l = 0; l < net_t::layer_count; ++l) prune_layer(l, 0.9, seed * 11 + l);
        }));
        EXPECT_TRUE(matches_dense("90% of every layer"));

        // Layer 1 gone: its outputs are tanh(bias) whatever the input.
        ASSERT_TRUE(build(seed, [] { prune_layer(1, 1.0, 0); }));
        EXPECT_EQ(full_sparse::kept_weights(mask), weight_count - 9 * 6);
        EXPECT_TRUE(matches_dense("100% of layer 1"));
    }
}

TEST(sparse, a_layer_pruned_away_outputs_its_biases)
{
    // Every weight gone: the output is softmax(b) of the last layer, the closed form.
    ASSERT_TRUE(build(5, [] {
        for (std::size_t l = 0; l < net_t::layer_count; ++l) prune_layer(l, 1.0, 0);
    }));
    static mp::sparse<net_t, 0>::parameters_type empty;
    ASSERT_EQ((mp::sparse<net_t, 0>::compress(net, mask, empty)), mp::status::ok);
    mp::sparse<net_t, 0> model(empty);
    std::array<float, net_t::input_size> x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i) - 6.0f;
    const auto y = model.forward(x);
    const float* b = net.parameters().data() + net_t::layers[2].bias_offset;
    double sum = 0.0;
    for (std::size_t k = 0; k < 4; ++k) sum += std::exp(static_cast<double>(b[k]));
    for (std::size_t k = 0; k < 4; ++k) EXPECT_NEAR(y[k], std::exp(static_cast<double>(b[k])) / sum, 1e-6);
}

TEST(sparse, closed_form_of_a_small_layer)
{
    // z0 = 0.5 x0 - 2 x2 + 0.125, z1 = 0.25 x1 + x2 - 1 (tiny_parameters): exact in float.
    tiny_sparse model(tiny_compressed);
    const auto y = model.forward(std::array<float, 3>{4.0f, 8.0f, 0.5f});
    EXPECT_EQ(y[0], 0.5f * 4.0f - 2.0f * 0.5f + 0.125f);
    EXPECT_EQ(y[1], 0.25f * 8.0f + 0.5f - 1.0f);
}

TEST(sparse, tied_layers_read_the_shared_matrix_transposed)
{
    static tied_net tied;
    static tied_sparse::parameters_type tied_compressed;
    mp::pruning_mask<tied_net> tied_mask;
    numtest::fill_parameters(tied, 3);
    tied_mask.prune(1);  // W(0, 1) of layer 0 = W(1, 0) of the tied layer
    tied_mask.prune(7);
    tied_mask.prune(14);
    EXPECT_EQ(tied_sparse::kept_weights(tied_mask), 2 * 12u);
    ASSERT_EQ(tied_sparse::compress(tied, tied_mask, tied_compressed), mp::status::ok);
    tied_mask.apply(tied);
    tied_sparse model(tied_compressed);
    const std::array<float, 5> x = {0.3f, -1.1f, 0.7f, 2.0f, -0.4f};
    const auto y = model.forward(x);
    const auto reference = tied.forward(x);
    for (std::size_t k = 0; k < 5; ++k) EXPECT_NEAR(y[k], reference[k], 1e-6);
}

TEST(sparse, more_than_256_inputs_take_16_bit_indices)
{
    // 257 inputs: index 256 needs std::uint16_t; 80% pruned at random, input 256 kept, the
    // mask applied in place (one network: the 8 KB STM32F100 runs this image too).
    using wide_net = mp::network<float, mp::dense<257, 1>, mp::sigmoid>;
    using wide_sparse = mp::sparse<wide_net, 90>;
    static_assert(std::is_same<wide_sparse::parameters_type::index_type, std::uint16_t>::value, "");
    static wide_net wide;
    static wide_sparse::parameters_type wide_compressed;
    mp::pruning_mask<wide_net> wide_mask;
    numtest::fill_parameters(wide, 12);
    numtest::lcg rng(12);
    for (std::size_t q = 0; q < 256; ++q) {
        if (rng.symmetric() < 0.6) wide_mask.prune(q);
    }
    ASSERT_LE(wide_sparse::kept_weights(wide_mask), 90u);
    ASSERT_GT(wide_sparse::kept_weights(wide_mask), 30u);
    ASSERT_EQ(wide_sparse::compress(wide, wide_mask, wide_compressed), mp::status::ok);
    EXPECT_EQ(wide_compressed.indices[wide_compressed.kept[0] - 1], 256u);
    wide_mask.apply(wide);
    wide_sparse model(wide_compressed);
    std::array<float, 257> x{};
    for (float& v : x) v = static_cast<float>(rng.symmetric());
    const auto y = model.forward(x);
    const auto reference = wide.forward(x);
    EXPECT_NEAR(y[0], reference[0], 1e-6);
}

TEST(sparse, compress_refuses_and_leaves_its_output_untouched)
{
    // Layer 0 gone: 54 + 24 = 78 weights kept. A capacity one short is refused, the exact one is not.
    ASSERT_TRUE(build(8, [] { prune_layer(0, 1.0, 0); }));
    ASSERT_EQ(full_sparse::kept_weights(mask), 78u);
    using short_sparse = mp::sparse<net_t, 77>;
    static short_sparse::parameters_type small;
    std::memset(&small, 0x5a, sizeof(small));
    EXPECT_EQ(short_sparse::compress(net, mask, small), mp::status::size_mismatch);
    EXPECT_TRUE(all_bytes_are(small, 0x5a));
    static mp::sparse<net_t, 78>::parameters_type exact;
    EXPECT_EQ((mp::sparse<net_t, 78>::compress(net, mask, exact)), mp::status::ok);

    // A NaN in a kept weight, or in a bias, is refused; in a pruned weight it is dropped.
    ASSERT_TRUE(build(8, [] { prune_layer(0, 0.5, 3); }));
    std::memset(&compressed, 0x5a, sizeof(compressed));
    std::size_t kept_weight = 0;
    std::size_t pruned_weight = 0;
    while (mask.pruned(kept_weight)) ++kept_weight;
    while (!mask.pruned(pruned_weight)) ++pruned_weight;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    net.parameters()[kept_weight] = nan;
    EXPECT_EQ(full_sparse::compress(net, mask, compressed), mp::status::non_finite_parameter);
    net.parameters()[kept_weight] = std::numeric_limits<float>::infinity();
    EXPECT_EQ(full_sparse::compress(net, mask, compressed), mp::status::non_finite_parameter);
    net.parameters()[kept_weight] = 0.25f;
    net.parameters()[net_t::layers[1].bias_offset + 2] = nan;
    EXPECT_EQ(full_sparse::compress(net, mask, compressed), mp::status::non_finite_parameter);
    EXPECT_TRUE(all_bytes_are(compressed, 0x5a));
    net.parameters()[net_t::layers[1].bias_offset + 2] = 0.0f;
    net.parameters()[pruned_weight] = nan;
    EXPECT_EQ(full_sparse::compress(net, mask, compressed), mp::status::ok);
    EXPECT_EQ(full_sparse::check(compressed), mp::status::ok);
}

TEST(sparse, check_refuses_corrupt_parameters)
{
    ASSERT_TRUE(build(4, [] { prune_layer(2, 0.5, 4); }));
    ASSERT_EQ(full_sparse::check(compressed), mp::status::ok);
    const auto index = compressed.indices[3];
    compressed.indices[3] = 13;  // layer 0 has 13 inputs: 0 .. 12
    EXPECT_EQ(full_sparse::check(compressed), mp::status::size_mismatch);
    compressed.indices[3] = index;
    const auto count = compressed.kept[0];
    compressed.kept[0] = 14;  // more than the layer's inputs
    EXPECT_EQ(full_sparse::check(compressed), mp::status::size_mismatch);
    compressed.kept[0] = count;
    const float value = compressed.values[0];
    compressed.values[0] = std::numeric_limits<float>::infinity();
    EXPECT_EQ(full_sparse::check(compressed), mp::status::non_finite_parameter);
    compressed.values[0] = value;
    compressed.biases[18] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_EQ(full_sparse::check(compressed), mp::status::non_finite_parameter);
    compressed.biases[18] = 0.0f;
    EXPECT_EQ(full_sparse::check(compressed), mp::status::ok);
}

