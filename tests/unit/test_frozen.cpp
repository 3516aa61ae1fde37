// Frozen stacks and fine-tuned models (include/microprop/frozen.hpp), checked against plain
// networks holding the same numbers: a float frozen stack computes the network's forward pass
// bit for bit; the head of a fine-tuned model gets, bit for bit, the gradient and the steps
// the last layer of the whole network gets when its first layers are held fixed; int8
// per-row quantization against its closed form and its error bound; sizeof against the
// documented bytes; the constexpr blob check against every corruption it must refuse; bad
// samples leave the head and its optimizer state untouched.
//
// The comparisons are bit for bit, so both sides must run the same kernels: a head this small
// would otherwise take the unrolled engine (engine_unrolled.hpp, <= 64 parameters), which sums
// in another order than the vector kernels the whole network runs on the host.
#define MICROPROP_UNROLLED_MAX_PARAMETERS 0
#include <microprop/frozen.hpp>
#include <microprop/microprop.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "numeric_support.hpp"

namespace {

namespace mp = microprop;

// The whole network, and the same numbers split into a frozen backbone (its first two
// layers) and a trainable head (its last layer).
using full_net = mp::network<float, mp::dense<8, 6>, mp::relu, mp::dense<6, 5>, mp::tanh, mp::dense<5, 3>, mp::softmax>;
using backbone = mp::frozen<float, mp::dense<8, 6>, mp::relu, mp::dense<6, 5>, mp::tanh>;
using backbone8 = mp::frozen<std::int8_t, mp::dense<8, 6>, mp::relu, mp::dense<6, 5>, mp::tanh>;
using head = mp::network<float, mp::dense<5, 3>, mp::softmax>;
using model = mp::fine_tuned<backbone, head>;
// Four layers: the hidden ping-pong buffers are both used, twice.
using deep_net = mp::network<float, mp::dense<4, 5>, mp::tanh, mp::dense<5, 3>, mp::relu, mp::dense<3, 4>, mp::sigmoid,
                             mp::dense<4, 2>, mp::softmax>;
using deep_frozen = mp::inference_only<deep_net>;

static_assert(std::is_same<deep_frozen, mp::frozen<float, mp::dense<4, 5>, mp::tanh, mp::dense<5, 3>, mp::relu,
                                                   mp::dense<3, 4>, mp::sigmoid, mp::dense<4, 2>, mp::softmax>>::value,
              "");
static_assert(backbone::parameter_count + head::parameter_count == full_net::parameter_count, "");
constexpr std::size_t head_offset = backbone::parameter_count;  // the head's block inside full_net's vector

// sizeof is the documented RAM (the test below checks the figures themselves).
static_assert(sizeof(backbone) == backbone::ram_bytes, "");
static_assert(sizeof(backbone8) == backbone8::ram_bytes, "");
static_assert(sizeof(deep_frozen) == deep_frozen::ram_bytes, "");
static_assert(sizeof(model) == model::ram_bytes, "");
static_assert(sizeof(mp::frozen<float, mp::dense<3, 2>>) == mp::frozen<float, mp::dense<3, 2>>::ram_bytes, "");

// int8 quantization, closed form: row 0's largest |w| is 1.27, so its scale is 0.01 and
// its weights 50, -127, 0; row 1 is all zero (scale 0, weights 0).
using tiny8 = mp::frozen<std::int8_t, mp::dense<3, 2>>;
constexpr std::array<float, 8> tiny_parameters = {0.5f, -1.27f, 0.0f, 0.0f, 0.0f, 0.0f, 0.25f, -1.0f};
constexpr tiny8::parameters_type tiny_quantized = tiny8::quantize(tiny_parameters);
static_assert(tiny_quantized.weights[0] == 50 && tiny_quantized.weights[1] == -127 && tiny_quantized.weights[2] == 0, "");
static_assert(tiny_quantized.weights[3] == 0 && tiny_quantized.scales[1] == 0.0f, "");
static_assert(tiny_quantized.scales[0] == 1.27f / 127.0f, "");
static_assert(tiny_quantized.biases[0] == 0.25f && tiny_quantized.biases[1] == -1.0f, "");
static_assert(tiny8::check(tiny_quantized) == mp::status::ok, "");

// Parameters the frozen stacks point at (filled at run time here; constexpr in firmware).
backbone::parameters_type backbone_parameters{};
deep_frozen::parameters_type deep_parameters{};

full_net full;
deep_net deep;

// Shared by the tests (static, and few: the 8 KB STM32F100 port runs this image too).
model tuned(backbone_parameters);
mp::trainer<full_net, mp::cross_entropy, mp::momentum> full_momentum(full, mp::momentum{0.1f, 0.9f});
mp::fine_tune_trainer<model, mp::cross_entropy, mp::momentum> momentum_tuner(tuned, mp::momentum{0.1f, 0.9f});
std::array<float, full_net::parameter_count> full_scratch{};

/// Fills `full` and copies its first two layers into backbone_parameters.
void make_full_network(std::uint32_t seed)
{
    numtest::fill_parameters(full, seed);
    for (std::size_t k = 0; k < backbone::parameter_count; ++k) backbone_parameters[k] = full.parameters()[k];
}

/// Copies the head block of `full` into m's head.
void copy_head(model& m)
{
    for (std::size_t k = 0; k < head::parameter_count; ++k) m.head().parameters()[k] = full.parameters()[head_offset + k];
}

std::array<float, 8> sample_input(std::size_t s)
{
    std::array<float, 8> x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.7f * static_cast<float>(i + 3 * s) + 0.3f);
    return x;
}
std::array<float, 3> sample_target(std::size_t s)
{
    std::array<float, 3> d{};
    d[s % 3] = 1.0f;
    return d;
}

TEST(FrozenStack, float_forward_is_the_networks_bit_for_bit)
{
    numtest::fill_parameters(deep, 11);
    for (std::size_t k = 0; k < deep_parameters.size(); ++k) deep_parameters[k] = deep.parameters()[k];
    deep_frozen stack(deep_parameters);
    for (std::size_t s = 0; s < 4; ++s) {
        std::array<float, 4> x{};
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::cos(1.3f * static_cast<float>(i + 5 * s));
        const auto expected = deep.forward(x);
        const auto got = stack.forward(x);
        EXPECT_TRUE(numtest::same_bits(expected.data(), got.data(), deep_net::output_size));
    }
}

TEST(FrozenStack, int8_forward_matches_the_closed_form)
{
    tiny8 stack(tiny_quantized);
    const auto y = stack.forward(std::array<float, 3>{1.0f, 1.0f, 1.0f});
    EXPECT_NEAR(y[0], 0.25f + 0.01f * (50.0f - 127.0f), 1e-6);  // 0.25 - 0.77
    EXPECT_EQ(y[1], -1.0f);
}

TEST(FrozenStack, int8_error_stays_within_half_a_step_per_weight)
{
    // One layer, identity: |u8_j - u_j| <= (scale_j / 2) sum_i |x_i| (rounding to the nearest
    // step), plus float rounding of the sums (1e-5 relative to sum |w_i x_i| is ample).
    using wide = mp::network<float, mp::dense<12, 6>>;
    using wide8 = mp::inference_only<wide, std::int8_t>;
    static std::array<float, wide::parameter_count> p{};
    static wide net;
    numtest::fill_parameters(net, 21);
    for (std::size_t k = 0; k < p.size(); ++k) p[k] = net.parameters()[k];
    static wide8::parameters_type q{};
    q = wide8::quantize(p);
    wide8 stack(q);
    std::array<float, 12> x{};
    float sum_abs_x = 0.0f;
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = std::sin(2.1f * static_cast<float>(i)) * 3.0f;
        sum_abs_x += std::fabs(x[i]);
    }
    const auto u = net.forward(x);
    const auto u8 = stack.forward(x);
    bool some_error = false;
    for (std::size_t j = 0; j < 6; ++j) {
        const double bound = 0.5 * static_cast<double>(q.scales[j]) * static_cast<double>(sum_abs_x) * (1.0 + 1e-5) + 1e-6;
        EXPECT_NEAR(u8[j], u[j], bound);
        some_error = some_error || u8[j] != u[j];
    }
    EXPECT_TRUE(some_error);  // the int8 path really is a different computation
}

TEST(FineTuned, head_gradient_is_the_full_networks_last_layer_bit_for_bit)
{
    // The gradient is read as the momentum velocity after one step from zero velocity:
    // v = mu * 0 + (g + 0 * w) = g exactly, with or without FMA contraction. Both networks
    // go back to the same parameters before each sample.
    make_full_network(3);
    model& m = tuned;
    std::array<float, full_net::parameter_count>& full_start = full_scratch;
    for (std::size_t k = 0; k < full_start.size(); ++k) full_start[k] = full.parameters()[k];
    auto& full_trainer = full_momentum;
    auto& tuner = momentum_tuner;
    for (std::size_t s = 0; s < 4; ++s) {
        for (std::size_t k = 0; k < full_start.size(); ++k) full.parameters()[k] = full_start[k];
        copy_head(m);
        for (float& v : full_trainer.optimizer_state()) v = 0.0f;
        for (float& v : tuner.head_trainer().optimizer_state()) v = 0.0f;
        ASSERT_EQ(full_trainer.train_sample(sample_input(s), sample_target(s)), mp::status::ok);
        ASSERT_EQ(tuner.train_sample(sample_input(s), sample_target(s)), mp::status::ok);
        const float* full_gradient = full_trainer.optimizer_state().data();
        const float* head_gradient = tuner.head_trainer().optimizer_state().data();
        EXPECT_TRUE(numtest::same_bits(full_gradient + head_offset, head_gradient, head::parameter_count));
        EXPECT_EQ(tuner.last_loss(), full_trainer.last_loss());
        bool some_nonzero = false;  // a zero gradient would compare equal for any network
        for (std::size_t k = 0; k < head::parameter_count; ++k) some_nonzero = some_nonzero || head_gradient[k] != 0.0f;
        EXPECT_TRUE(some_nonzero);
    }
}

/// Trains the whole network and the fine-tuned model side by side, restoring the whole
/// network's first layers after every step (they are what the backbone holds); returns the
/// largest difference between its last layer and the head over all steps (-1 if a step
/// failed or the losses differed). Not bit for bit: the optimizer's vector loops reach a
/// parameter at another index (89 further on) in the whole network, so a vector body here
/// may be a scalar tail there, and the host's dispatched kernels contract a * b + c into
/// one FMA in one and not the other (a last-bit difference, seen on x86-64).
template <class FullTrainer, class Tuner>
double largest_head_difference(FullTrainer& full_trainer, Tuner& tuner, int steps)
{
    make_full_network(7);
    model& m = tuned;
    copy_head(m);
    for (float& v : full_trainer.optimizer_state()) v = 0.0f;
    for (float& v : tuner.head_trainer().optimizer_state()) v = 0.0f;
    double largest = 0.0;
    for (int step = 0; step < steps; ++step) {
        const auto x = sample_input(static_cast<std::size_t>(step) % 4);
        const auto d = sample_target(static_cast<std::size_t>(step));
        if (full_trainer.train_sample(x, d) != mp::status::ok || tuner.train_sample(x, d) != mp::status::ok) return -1.0;
        if (numtest::absolute(static_cast<double>(tuner.last_loss()) - full_trainer.last_loss()) > 1e-6) return -1.0;
        for (std::size_t k = 0; k < backbone::parameter_count; ++k) full.parameters()[k] = backbone_parameters[k];
        for (std::size_t k = 0; k < head::parameter_count; ++k) {
            const double difference = numtest::absolute(static_cast<double>(full.parameters()[head_offset + k]) -
                                                        m.head().parameters()[k]);
            largest = difference > largest ? difference : largest;
        }
    }
    return largest;
}

// Tolerance: parameters stay below 1 and each step adds at most a few float roundings
// (2^-24 relative), so 6 steps stay far below 1e-6; a head that trained on other
// features, or a backbone that moved, is off by 1e-3 or more.
TEST(FineTuned, momentum_steps_match_the_full_network_with_fixed_first_layers)
{
    const double largest = largest_head_difference(full_momentum, momentum_tuner, 6);
    EXPECT_GE(largest, 0.0);
    EXPECT_LE(largest, 1e-6);
}

TEST(FineTuned, fused_sgd_steps_match_the_full_network_with_fixed_first_layers)
{
    static mp::trainer<full_net, mp::cross_entropy, mp::sgd> full_trainer(full, mp::sgd{0.2f, 0.0f});
    static mp::fine_tune_trainer<model, mp::cross_entropy, mp::sgd> tuner(tuned, mp::sgd{0.2f, 0.0f});
    const double largest = largest_head_difference(full_trainer, tuner, 6);
    EXPECT_GE(largest, 0.0);
    EXPECT_LE(largest, 1e-6);
}

TEST(FineTuned, int8_backbone_feeds_the_head_its_own_forward_pass)
{
    // A head fine-tuned over the int8 backbone takes, bit for bit, the steps a plain trainer
    // of the same head takes on that backbone's forward pass; and the int8 features differ
    // from the float ones (so the int8 path is the one used).
    using model8 = mp::fine_tuned<backbone8, head>;
    make_full_network(23);
    static backbone8::parameters_type quantized{};
    quantized = backbone8::quantize(backbone_parameters);
    static model8 m(quantized, 4);
    static head twin(4);
    static backbone8 stack(quantized);
    static mp::fine_tune_trainer<model8, mp::cross_entropy, mp::sgd> tuner(m, mp::sgd{0.2f, 0.0f});
    static mp::trainer<head, mp::cross_entropy, mp::sgd> twin_trainer(twin, mp::sgd{0.2f, 0.0f});
    bool features_differ = false;
    for (std::size_t s = 0; s < 6; ++s) {
        const auto x = sample_input(s % 4);
        ASSERT_EQ(tuner.train_sample(x, sample_target(s)), mp::status::ok);
        stack.forward(x);
        ASSERT_EQ(twin_trainer.train_sample(stack.output_array(), sample_target(s)), mp::status::ok);
        EXPECT_TRUE(numtest::same_bits(twin.parameters().data(), m.head().parameters().data(), head::parameter_count));
        const auto& float_features = tuned.features(x);
        for (std::size_t i = 0; i < float_features.size(); ++i) {
            features_differ = features_differ || float_features[i] != stack.output_array()[i];
        }
    }
    EXPECT_TRUE(features_differ);
    static_assert(sizeof(model8) == model8::ram_bytes, "");
    static_assert(model8::flash_bytes == backbone8::flash_bytes, "");
}

TEST(FineTuned, bytes_are_the_documented_figures)
{
    // Counted by hand: the backbone keeps one hidden buffer (6 floats), the pointer and its
    // 5 outputs; its flash is 8*6+6 + 6*5+5 = 89 floats; int8: 78 weights, 11 rows * 8 bytes,
    // 2 bytes of padding before the float arrays.
    const std::size_t pointer = sizeof(void*);
    const std::size_t backbone_ram = pointer == 8 ? 24 + 8 + 20 + 4 : 24 + 4 + 20;  // padded to 8 on LP64
    EXPECT_EQ(backbone::ram_bytes, backbone_ram);
    EXPECT_EQ(backbone::flash_bytes, std::size_t{89 * 4});
    EXPECT_EQ(backbone8::flash_bytes, std::size_t{78 + 2 + 11 * 8});
    EXPECT_EQ(backbone8::ram_bytes, backbone_ram);
    // The head: (5*3 + 3) parameters and 3 outputs.
    EXPECT_EQ(model::ram_bytes, pointer == 8 ? std::size_t{56 + 84 + 4} : std::size_t{48 + 84});
    EXPECT_EQ(model::flash_bytes, backbone::flash_bytes);
    // The digits network of examples/infer_only: 32 hidden + 10 output floats and a pointer.
    using digits = mp::network<float, mp::dense<64, 32>, mp::relu, mp::dense<32, 10>, mp::softmax>;
    EXPECT_EQ(mp::inference_footprint<digits>::ram_bytes, 42 * 4 + pointer);
    EXPECT_EQ(mp::inference_footprint<digits>::flash_bytes, std::size_t{2410 * 4});
    EXPECT_EQ((mp::inference_footprint<digits, std::int8_t>::flash_bytes), std::size_t{64 * 32 + 32 * 10 + 42 * 8});
    // Training the head only: the head trainer's buffers, nothing for the backbone.
    using tuner = mp::fine_tune_trainer<model, mp::cross_entropy, mp::momentum>;
    EXPECT_EQ(tuner::workspace_bytes, (2 * 5 + 2 * head::parameter_count) * sizeof(float));
}

TEST(FineTuned, bad_samples_leave_the_head_and_its_state_untouched)
{
    make_full_network(9);
    model& m = tuned;
    copy_head(m);
    auto& tuner = momentum_tuner;
    for (float& v : tuner.head_trainer().optimizer_state()) v = 0.0f;
    ASSERT_EQ(tuner.train_sample(sample_input(0), sample_target(0)), mp::status::ok);  // non-zero velocity
    static std::array<float, head::parameter_count> before{};
    static std::array<float, head::parameter_count> state_before{};
    for (std::size_t k = 0; k < before.size(); ++k) {
        before[k] = m.head().parameters()[k];
        state_before[k] = tuner.head_trainer().optimizer_state()[k];
    }
    const auto unchanged = [&] {
        return numtest::same_bits(before.data(), m.head().parameters().data(), head::parameter_count) &&
               numtest::same_bits(state_before.data(), tuner.head_trainer().optimizer_state().data(),
                                    head::parameter_count);
    };
    auto x = sample_input(1);
    x[3] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_EQ(tuner.train_sample(x, sample_target(1)), mp::status::non_finite_input);
    x[3] = -std::numeric_limits<float>::infinity();
    EXPECT_EQ(tuner.train_sample(x, sample_target(1)), mp::status::non_finite_input);
    x[3] = 1e30f;
    EXPECT_EQ(tuner.train_sample(x, sample_target(1)), mp::status::input_out_of_range);
    auto d = sample_target(1);
    d[0] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_EQ(tuner.train_sample(sample_input(1), d), mp::status::non_finite_target);
    EXPECT_TRUE(unchanged());
    // Features beyond the head trainer's input limit: the head trainer refuses them.
    ASSERT_EQ(tuner.head_trainer().set_sample_limits(0.5f, 1e6f), mp::status::ok);  // tanh features reach ~1
    EXPECT_EQ(tuner.train_sample(sample_input(1), sample_target(1)), mp::status::input_out_of_range);
    EXPECT_TRUE(unchanged());
}

TEST(FineTuned, head_blob_round_trip)
{
    // The trainable part saves and loads as the plain network it is.
    make_full_network(13);
    model& a = tuned;
    a.head().initialize(5);
    static model b(backbone_parameters, 6);
    static std::array<std::uint8_t, mp::blob_bytes<head>> blob{};
    ASSERT_EQ(mp::save_parameters(a.head(), mp::span<std::uint8_t>(blob), 42), mp::status::ok);
    std::uint32_t generation = 0;
    ASSERT_EQ(mp::load_parameters(b.head(), mp::span<const std::uint8_t>(blob), &generation), mp::status::ok);
    EXPECT_EQ(generation, 42u);
    const auto x = sample_input(2);
    const auto ya = a.forward(x);
    const auto yb = b.forward(x);
    EXPECT_TRUE(numtest::same_bits(ya.data(), yb.data(), head::output_size));
}

TEST(Blob, compile_time_check_and_decode)
{
    make_full_network(17);
    using stack = mp::inference_only<full_net>;
    static std::array<std::uint8_t, mp::blob_bytes<full_net>> blob{};
    ASSERT_EQ(mp::save_parameters(full, mp::span<std::uint8_t>(blob)), mp::status::ok);
    EXPECT_EQ(mp::check_parameter_blob<stack>(blob), mp::status::ok);
    EXPECT_EQ(mp::check_parameter_blob<full_net>(blob), mp::status::ok);
    std::array<float, full_net::parameter_count>& decoded = full_scratch;
    decoded = mp::blob_parameters<stack>(blob);
    EXPECT_TRUE(numtest::same_bits(decoded.data(), full.parameters().data(), full_net::parameter_count));

    // Another topology (relu where full_net has tanh).
    using other = mp::frozen<float, mp::dense<8, 6>, mp::relu, mp::dense<6, 5>, mp::relu, mp::dense<5, 3>, mp::softmax>;
    EXPECT_EQ(mp::check_parameter_blob<other>(blob), mp::status::blob_topology_mismatch);
    // A flipped parameter bit: the CRC.
    static std::array<std::uint8_t, mp::blob_bytes<full_net>> bad{};
    bad = blob;
    bad[40] ^= 0x10u;
    EXPECT_EQ(mp::check_parameter_blob<stack>(bad), mp::status::blob_corrupt);
    // A length field that disagrees with the array.
    bad = blob;
    bad[4] ^= 0x01u;
    EXPECT_EQ(mp::check_parameter_blob<stack>(bad), mp::status::blob_length_mismatch);
    // Format version 1.
    bad = blob;
    bad[3] = '1';
    EXPECT_EQ(mp::check_parameter_blob<stack>(bad), mp::status::blob_version_unsupported);
    // A NaN parameter under a valid CRC.
    bad = blob;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(bad.data() + 32 + 4 * 5, &nan, 4);
    const std::uint32_t crc = mp::detail::crc32(bad.data(), bad.size() - 4);
    std::memcpy(bad.data() + bad.size() - 4, &crc, 4);
    EXPECT_EQ(mp::check_parameter_blob<stack>(bad), mp::status::blob_non_finite);
    // Too short to hold a header.
    EXPECT_EQ(mp::check_parameter_blob<stack>(std::array<std::uint8_t, 20>{}), mp::status::blob_too_small);
}

TEST(FrozenStack, check_finds_non_finite_parameters)
{
    using tiny = mp::frozen<float, mp::dense<3, 2>>;
    tiny::parameters_type p = tiny_parameters;
    EXPECT_EQ(tiny::check(p), mp::status::ok);
    p[7] = std::numeric_limits<float>::infinity();
    EXPECT_EQ(tiny::check(p), mp::status::non_finite_parameter);
    tiny8::parameters_type q = tiny_quantized;
    EXPECT_EQ(tiny8::check(q), mp::status::ok);
    q.scales[1] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_EQ(tiny8::check(q), mp::status::non_finite_parameter);
    q = tiny_quantized;
    q.biases[0] = -std::numeric_limits<float>::infinity();
    EXPECT_EQ(tiny8::check(q), mp::status::non_finite_parameter);
}

}  // namespace
