// Saving and loading q3_12 (fixed-point) networks and their training state
// (include/microprop/serialize.hpp, scalar kind 3): bit-exact round trips, a resumed
// momentum run that continues bit for bit (velocity and stochastic-rounding state
// restored), and blobs that must be refused without changing anything: float blobs
// into fixed networks and back, another optimizer's blob, a corrupt rounding state.
#include <microprop/fixed_point.hpp>
#include <microprop/microprop.hpp>

#include <cstdint>
#include <cstring>
#include <limits>

#include "microtest.hpp"

namespace mp = microprop;
using mp::q3_12;

namespace {

using fixed_net = mp::network<q3_12, mp::dense<3, 5>, mp::tanh, mp::dense<5, 2>, mp::sigmoid>;
using float_net = mp::network<float, mp::dense<3, 5>, mp::tanh, mp::dense<5, 2>, mp::sigmoid>;
using momentum_trainer = mp::trainer<fixed_net, mp::squared_error, mp::momentum>;
using sgd_trainer = mp::trainer<fixed_net, mp::squared_error, mp::sgd>;
using float_momentum_trainer = mp::trainer<float_net, mp::squared_error, mp::momentum>;

constexpr std::size_t P = fixed_net::parameter_count;

std::uint8_t blob[mp::training_blob_bytes<momentum_trainer> + mp::training_blob_bytes<float_momentum_trainer>];

/// `steps` momentum steps on a fixed stream of samples (the same stream for the same `first`).
void train(momentum_trainer& t, int first, int steps)
{
    for (int step = first; step < first + steps; ++step) {
        const q3_12 x[3] = {q3_12::from_raw((step * 1237) % 8192 - 4096), q3_12::from_raw((step * 311) % 4096),
                            q3_12::from_raw(-((step * 733) % 6000))};
        const q3_12 d[2] = {q3_12::from_raw(step % 2 ? 3072 : 1024), q3_12::from_raw(2048)};
        ASSERT_EQ(t.train_sample(x, d), mp::status::ok);
    }
}

bool same_parameters(const fixed_net& a, const fixed_net& b)
{
    return std::memcmp(a.parameters().data(), b.parameters().data(), fixed_net::parameter_bytes) == 0;
}

}  // namespace

TEST(fixed_serialize, weights_round_trip_bit_exact_with_the_q3_12_kind)
{
    fixed_net a(7), b(8);
    ASSERT_FALSE(same_parameters(a, b));
    ASSERT_EQ(mp::save_parameters(a, mp::span<std::uint8_t>(blob), 41u), mp::status::ok);
    EXPECT_EQ(mp::blob_bytes<fixed_net>, 32u + 2u * P + 4u);  // two bytes a parameter
    EXPECT_EQ(blob[20], 3u);                                  // scalar kind q3_12
    EXPECT_EQ(blob[21], 2u);                                  // scalar size
    std::int16_t first;
    std::memcpy(&first, blob + 32, 2);
    EXPECT_EQ(first, a.parameters()[0].raw);  // raw little-endian integers
    std::uint32_t generation = 0;
    ASSERT_EQ(mp::load_parameters(b, mp::span<const std::uint8_t>(blob, mp::blob_bytes<fixed_net>), &generation),
              mp::status::ok);
    EXPECT_EQ(generation, 41u);
    EXPECT_TRUE(same_parameters(a, b));
    // -8 and 8 - 1/4096 are ordinary values (no NaN test, no saturation counted).
    a.parameters()[0] = q3_12::from_raw(-32768);
    a.parameters()[1] = q3_12::from_raw(32767);
    mp::reset_saturation_count();
    ASSERT_EQ(mp::save_parameters(a, mp::span<std::uint8_t>(blob)), mp::status::ok);
    ASSERT_EQ(mp::load_parameters(b, mp::span<const std::uint8_t>(blob, mp::blob_bytes<fixed_net>)), mp::status::ok);
    EXPECT_TRUE(same_parameters(a, b));
    EXPECT_EQ(mp::saturation_count(), 0u);
}

TEST(fixed_serialize, momentum_training_resumes_bit_for_bit)
{
    // Run A: 30 steps, save, 30 more. Run B: another network, seed and settings, restored
    // from the blob, the same 30 steps: weights and velocity must equal A's bit for bit,
    // which needs the stochastic-rounding state too (B's own seed draws other bits).
    static fixed_net a(3), b(4);
    momentum_trainer ta(a, mp::momentum{0.05f, 0.9f, true, 0.001f}, 101u);
    momentum_trainer tb(b, mp::momentum{0.5f, 0.1f}, 202u);
    train(ta, 0, 30);
    ASSERT_EQ(mp::save_training_state(ta, mp::span<std::uint8_t>(blob), 5u), mp::status::ok);
    constexpr std::size_t n = mp::training_blob_bytes<momentum_trainer>;
    EXPECT_EQ(n, 32u + 4u * P + 20u + 16u + 4u);  // parameters, velocity, record, rounding state, CRC
    train(ta, 30, 30);
    ASSERT_EQ(mp::load_training_state(tb, mp::span<const std::uint8_t>(blob, n)), mp::status::ok);
    EXPECT_EQ(tb.optimizer().learning_rate, 0.05f);
    EXPECT_TRUE(tb.optimizer().nesterov);
    train(tb, 30, 30);
    EXPECT_TRUE(same_parameters(a, b));
    EXPECT_EQ(std::memcmp(ta.optimizer_state().data(), tb.optimizer_state().data(), 2 * P), 0);
    EXPECT_TRUE(ta.rounding_state() == tb.rounding_state());
    bool velocity_nonzero = false;
    for (std::size_t k = 0; k < P; ++k) velocity_nonzero = velocity_nonzero || ta.optimizer_state()[k].raw != 0;
    EXPECT_TRUE(velocity_nonzero);
}

TEST(fixed_serialize, float_and_fixed_blobs_do_not_load_into_each_other)
{
    float_net f(9);
    fixed_net q(10);
    const fixed_net q_before = q;
    const float_net f_before = f;
    ASSERT_EQ(mp::save_parameters(f, mp::span<std::uint8_t>(blob)), mp::status::ok);
    EXPECT_EQ(mp::load_parameters(q, mp::span<const std::uint8_t>(blob, mp::blob_bytes<float_net>)),
              mp::status::blob_topology_mismatch);
    EXPECT_TRUE(same_parameters(q, q_before));

    ASSERT_EQ(mp::save_parameters(q, mp::span<std::uint8_t>(blob)), mp::status::ok);
    EXPECT_EQ(mp::load_parameters(f, mp::span<const std::uint8_t>(blob, mp::blob_bytes<fixed_net>)),
              mp::status::blob_topology_mismatch);
    EXPECT_EQ(std::memcmp(f.parameters().data(), f_before.parameters().data(), float_net::parameter_bytes), 0);

    // A float training blob of the same topology into a fixed trainer, and back.
    float_momentum_trainer ft(f, mp::momentum{0.1f, 0.5f});
    momentum_trainer qt(q, mp::momentum{0.1f, 0.5f});
    ASSERT_EQ(mp::save_training_state(ft, mp::span<std::uint8_t>(blob)), mp::status::ok);
    constexpr std::size_t float_blob = mp::training_blob_bytes<float_momentum_trainer>;
    constexpr std::size_t fixed_blob = mp::training_blob_bytes<momentum_trainer>;
    EXPECT_EQ(mp::load_training_state(qt, mp::span<const std::uint8_t>(blob, float_blob)),
              mp::status::blob_topology_mismatch);
    EXPECT_TRUE(same_parameters(q, q_before));
    ASSERT_EQ(mp::save_training_state(qt, mp::span<std::uint8_t>(blob)), mp::status::ok);
    EXPECT_EQ(mp::load_training_state(ft, mp::span<const std::uint8_t>(blob, fixed_blob)),
              mp::status::blob_topology_mismatch);
    EXPECT_EQ(std::memcmp(f.parameters().data(), f_before.parameters().data(), float_net::parameter_bytes), 0);

    // The same bytes relabelled as float (kind 1, size 4) no longer add up: corrupt.
    blob[20] = 1;
    blob[21] = 4;
    mp::detail::seal_blob(blob, fixed_blob);
    EXPECT_EQ(mp::load_parameters(f, mp::span<const std::uint8_t>(blob, fixed_blob)),
              mp::status::blob_corrupt);

    // An sgd training blob into a momentum trainer: another optimizer.
    sgd_trainer st(q, mp::sgd{0.1f});
    ASSERT_EQ(mp::save_training_state(st, mp::span<std::uint8_t>(blob)), mp::status::ok);
    EXPECT_EQ(mp::training_blob_bytes<sgd_trainer>, 32u + 2u * P + 12u + 16u + 4u);
    EXPECT_EQ(mp::load_training_state(qt, mp::span<const std::uint8_t>(blob, mp::training_blob_bytes<sgd_trainer>)),
              mp::status::blob_topology_mismatch);
    // Its weights still load on their own.
    fixed_net other(11);
    EXPECT_EQ(mp::load_parameters(other, mp::span<const std::uint8_t>(blob, mp::training_blob_bytes<sgd_trainer>)),
              mp::status::ok);
    EXPECT_TRUE(same_parameters(other, q));
}

TEST(fixed_serialize, damaged_fixed_training_blobs_change_nothing)
{
    fixed_net a(12), b(13);
    momentum_trainer ta(a, mp::momentum{0.05f, 0.9f}, 7u);
    momentum_trainer tb(b, mp::momentum{0.2f, 0.3f}, 8u);
    train(ta, 0, 5);
    constexpr std::size_t n = mp::training_blob_bytes<momentum_trainer>;
    const fixed_net b_before = b;
    const auto rounding_before = tb.rounding_state();
    auto unchanged = [&]() {
        return same_parameters(b, b_before) && tb.optimizer().learning_rate == 0.2f &&
               tb.optimizer_state()[0].raw == 0 && tb.rounding_state() == rounding_before;
    };
    // An all-zero rounding state (the generator would draw only zeros), resealed.
    ASSERT_EQ(mp::save_training_state(ta, mp::span<std::uint8_t>(blob)), mp::status::ok);
    std::memset(blob + n - 4 - 16, 0, 16);
    mp::detail::seal_blob(blob, n);
    EXPECT_EQ(mp::load_training_state(tb, mp::span<const std::uint8_t>(blob, n)), mp::status::blob_corrupt);
    EXPECT_TRUE(unchanged());
    // A record without the rounding state (the header's R says 20, the frame wants 36).
    ASSERT_EQ(mp::save_training_state(ta, mp::span<std::uint8_t>(blob)), mp::status::ok);
    mp::detail::put_u32(blob + 28, 20u);
    mp::detail::put_u32(blob + 4, static_cast<std::uint32_t>(n - 16));
    std::memmove(blob + n - 4 - 16, blob + n - 4, 4);
    mp::detail::seal_blob(blob, n - 16);
    EXPECT_EQ(mp::load_training_state(tb, mp::span<const std::uint8_t>(blob, n - 16)), mp::status::blob_corrupt);
    EXPECT_TRUE(unchanged());
    // One flipped bit of a velocity value: the CRC.
    ASSERT_EQ(mp::save_training_state(ta, mp::span<std::uint8_t>(blob)), mp::status::ok);
    blob[32 + 2 * P] ^= 0x10u;
    EXPECT_EQ(mp::load_training_state(tb, mp::span<const std::uint8_t>(blob, n)), mp::status::blob_corrupt);
    EXPECT_TRUE(unchanged());
    // Truncated, and with a trailing byte.
    blob[32 + 2 * P] ^= 0x10u;
    EXPECT_EQ(mp::load_training_state(tb, mp::span<const std::uint8_t>(blob, n - 1)), mp::status::blob_too_small);
    EXPECT_EQ(mp::load_training_state(tb, mp::span<const std::uint8_t>(blob, n + 1)), mp::status::blob_length_mismatch);
    EXPECT_TRUE(unchanged());
    // The intact blob loads.
    EXPECT_EQ(mp::load_training_state(tb, mp::span<const std::uint8_t>(blob, n)), mp::status::ok);
    EXPECT_TRUE(same_parameters(a, b));
    EXPECT_TRUE(tb.rounding_state() == ta.rounding_state());
}

TEST(fixed_serialize, numeric_limits_give_the_q3_12_range)
{
    // Generic code (all_finite, all_within) reads the range from std::numeric_limits.
    EXPECT_EQ(std::numeric_limits<q3_12>::max().raw, 32767);
    EXPECT_EQ(std::numeric_limits<q3_12>::lowest().raw, -32768);
    EXPECT_EQ(std::numeric_limits<q3_12>::min().raw, 1);
    const q3_12 values[3] = {q3_12::from_raw(32767), q3_12::from_raw(0), q3_12::from_raw(-32767)};
    EXPECT_TRUE(mp::all_finite(values, 3));
}
