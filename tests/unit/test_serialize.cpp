// Weight blobs, format version 2: round trip with a generation, every kind of bad blob
// rejected with the network and trainer untouched, trainer state restored so that training
// continues bit for bit, and blobs written by the host script (examples/tools/microprop_blob.py).
#include <microprop/microprop.hpp>

#include <cstring>

#include "../golden/blob_golden.hpp"
#include "microtest.hpp"

namespace mp = microprop;

namespace {
using small_net = mp::network<float, mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>, mp::sigmoid>;
using other_net = mp::network<float, mp::dense<3, 4>, mp::relu, mp::dense<4, 2>, mp::sigmoid>;
using double_net = mp::network<double, mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>, mp::sigmoid>;
// Slopes 2.5e-7 and 2e-7: the version-1 hash rounded both to 0 millionths.
using slope_a_net = mp::network<float, mp::dense<3, 4>, mp::basic_leaky_relu<1, 4000000>, mp::dense<4, 2>>;
using slope_b_net = mp::network<float, mp::dense<3, 4>, mp::basic_leaky_relu<1, 5000000>, mp::dense<4, 2>>;

template <class Network>
bool same_bits(const Network& a, const Network& b)
{
    return std::memcmp(a.parameters().data(), b.parameters().data(), Network::parameter_bytes) == 0;
}

template <class Trainer>
bool same_state(const Trainer& a, const Trainer& b)
{
    return std::memcmp(a.optimizer_state().data(), b.optimizer_state().data(), Trainer::optimizer_state_bytes) == 0;
}

/// Rewrites the CRC of a blob that a test changed on purpose, so that the check after
/// the CRC is the one that must catch the change.
void reseal(std::uint8_t* blob, std::size_t length)
{
    mp::detail::put_u32(blob + length - 4, mp::detail::crc32(blob, length - 4));
}

/// A fixed stream of training samples: x in [-1, 1]^3, d in (0, 1)^2.
struct samples {
    std::uint32_t state = 12345u;
    float next()
    {
        state = state * 1664525u + 1013904223u;
        return static_cast<float>(state >> 8) / 16777216.0f;
    }
    template <class T>
    void draw(T* x, T* d)
    {
        for (int k = 0; k < 3; ++k) x[k] = static_cast<T>(2.0f * next() - 1.0f);
        for (int k = 0; k < 2; ++k) d[k] = static_cast<T>(0.1f + 0.8f * next());
    }
};

template <class Trainer>
void train_steps(Trainer& trainer, samples& data, int steps)
{
    using T = typename Trainer::T;
    T xs[Trainer::batch_size * 3];
    T ds[Trainer::batch_size * 2];
    for (int step = 0; step < steps; ++step) {
        for (std::size_t s = 0; s < Trainer::batch_size; ++s) data.draw(xs + 3 * s, ds + 2 * s);
        ASSERT_EQ(trainer.train_batch(xs, ds), mp::status::ok);
    }
}

/// Trains N steps, saves the trainer, restores it into a fresh network and a trainer
/// built with other settings, trains M more, and compares with N + M steps in one go.
template <class Network, class Optimizer, std::size_t Batch = 1>
void check_resume_is_bit_identical(Optimizer settings)
{
    using trainer_t = mp::trainer<Network, mp::squared_error, Optimizer, Batch>;
    constexpr int first_steps = 37;
    constexpr int more_steps = 23;

    Network uninterrupted(5);
    trainer_t uninterrupted_trainer(uninterrupted, settings);
    samples uninterrupted_data;
    train_steps(uninterrupted_trainer, uninterrupted_data, first_steps + more_steps);

    Network before(5);
    trainer_t before_trainer(before, settings);
    samples data;
    train_steps(before_trainer, data, first_steps);
    static std::uint8_t blob[mp::training_blob_bytes<trainer_t>];
    ASSERT_EQ(mp::save_training_state(before_trainer, mp::span<std::uint8_t>(blob), 17u), mp::status::ok);

    Network restored(99);
    // Default settings, but another clip (on when the saved one is off, off otherwise):
    // the blob brings the saved settings, gradient_clip included.
    Optimizer other_settings{};
    other_settings.gradient_clip = settings.gradient_clip > 0.0f ? 0.0f : 0.25f;
    trainer_t restored_trainer(restored, other_settings);
    std::uint32_t generation = 0;
    ASSERT_EQ(mp::load_training_state(restored_trainer, mp::span<const std::uint8_t>(blob), &generation),
              mp::status::ok);
    EXPECT_EQ(generation, 17u);
    EXPECT_EQ(restored_trainer.optimizer().gradient_clip, settings.gradient_clip);
    train_steps(restored_trainer, data, more_steps);

    EXPECT_TRUE(same_bits(restored, uninterrupted));
    EXPECT_TRUE(same_state(restored_trainer, uninterrupted_trainer));
    // The run moved the weights: equality above is not that of two untrained networks.
    EXPECT_FALSE(same_bits(restored, Network(5)));
}

/// Writes a saved gradient_clip of NaN, +infinity, -0.5 and -infinity into a training
/// blob (CRC made valid each time) and checks that each is refused with the status the
/// other settings get (non-finite: blob_non_finite; negative: blob_corrupt) and leaves the
/// trainer as it was; then that the intact blob restores the saved clip.
template <class Optimizer>
void check_bad_clip_is_refused(Optimizer settings, std::size_t clip_offset_in_record)
{
    using trainer_t = mp::trainer<small_net, mp::squared_error, Optimizer>;
    using record = mp::blob_optimizer_record<Optimizer>;
    small_net source(7);
    trainer_t source_trainer(source, settings);
    samples data;
    train_steps(source_trainer, data, 4);
    static std::uint8_t blob[mp::training_blob_bytes<trainer_t>];
    ASSERT_EQ(mp::save_training_state(source_trainer, mp::span<std::uint8_t>(blob)), mp::status::ok);
    const std::size_t clip = sizeof blob - 4 - record::bytes + clip_offset_in_record;
    ASSERT_EQ(mp::detail::get_f32(blob + clip), settings.gradient_clip);

    small_net target(3);
    Optimizer target_settings{};
    target_settings.gradient_clip = 0.75f;
    trainer_t target_trainer(target, target_settings);
    train_steps(target_trainer, data, 2);
    const small_net before = target;
    const trainer_t before_trainer = target_trainer;
    const mp::span<const std::uint8_t> whole(blob);
    const float bad_clips[] = {__builtin_nanf(""), __builtin_inff(), -0.5f, -__builtin_inff()};
    const mp::status expected[] = {mp::status::blob_non_finite, mp::status::blob_non_finite,
                                   mp::status::blob_corrupt, mp::status::blob_non_finite};
    for (std::size_t k = 0; k < 4; ++k) {
        mp::detail::put_f32(blob + clip, bad_clips[k]);
        reseal(blob, sizeof blob);
        EXPECT_EQ(mp::load_training_state(target_trainer, whole), expected[k]);
        EXPECT_TRUE(same_bits(target, before));
        EXPECT_TRUE(same_state(target_trainer, before_trainer));
        EXPECT_EQ(target_trainer.optimizer().gradient_clip, 0.75f);
        EXPECT_EQ(target_trainer.optimizer().learning_rate, before_trainer.optimizer().learning_rate);
    }
    mp::detail::put_f32(blob + clip, settings.gradient_clip);
    reseal(blob, sizeof blob);
    ASSERT_EQ(mp::load_training_state(target_trainer, whole), mp::status::ok);
    EXPECT_EQ(target_trainer.optimizer().gradient_clip, settings.gradient_clip);

    // A trainer whose clip was made negative after construction is not saved either.
    source_trainer.optimizer().gradient_clip = -1.0f;
    std::memset(blob, 0xa5, sizeof blob);
    EXPECT_EQ(mp::save_training_state(source_trainer, mp::span<std::uint8_t>(blob)),
              mp::status::invalid_hyperparameter);
    for (std::uint8_t byte : blob) ASSERT_EQ(byte, 0xa5u);
}
}  // namespace

static_assert(mp::blob_bytes<small_net> == 32 + small_net::parameter_bytes + 4,
              "blob = 32-byte header + parameters + CRC");
static_assert(mp::training_blob_bytes<mp::trainer<small_net, mp::squared_error, mp::adam>> ==
                  32 + 3 * small_net::parameter_bytes + 40 + 4,
              "Adam blob = header + parameters + two moments + 40-byte record + CRC");
static_assert(mp::training_blob_bytes<mp::trainer<small_net, mp::squared_error, mp::sgd>> ==
                  32 + small_net::parameter_bytes + 12 + 4,
              "sgd blob = header + parameters + 12-byte record + CRC");
static_assert(mp::training_blob_bytes<mp::trainer<small_net, mp::squared_error, mp::momentum>> ==
                  32 + 2 * small_net::parameter_bytes + 20 + 4,
              "momentum blob = header + parameters + velocity + 20-byte record + CRC");
static_assert(mp::topology_hash<small_net>() != mp::topology_hash<other_net>(),
              "activations are part of the topology hash");
static_assert(mp::topology_hash<small_net>() != mp::topology_hash<double_net>(),
              "the scalar type is part of the topology hash");
static_assert(mp::topology_hash<slope_a_net>() != mp::topology_hash<slope_b_net>(),
              "the exact bits of the leaky-ReLU slope are part of the topology hash");

TEST(serialize, round_trip_restores_every_bit_and_the_generation)
{
    small_net saved(7);
    std::uint8_t blob[mp::blob_bytes<small_net>];
    ASSERT_EQ(mp::save_parameters(saved, mp::span<std::uint8_t>(blob), 0xdeadbeefu), mp::status::ok);
    small_net loaded(99);
    EXPECT_FALSE(same_bits(saved, loaded));
    std::uint32_t generation = 0;
    ASSERT_EQ(mp::load_parameters(loaded, mp::span<const std::uint8_t>(blob), &generation), mp::status::ok);
    EXPECT_TRUE(same_bits(saved, loaded));
    EXPECT_EQ(generation, 0xdeadbeefu);
    std::uint32_t peeked = 0;
    EXPECT_EQ(mp::blob_generation(mp::span<const std::uint8_t>(blob), peeked), mp::status::ok);
    EXPECT_EQ(peeked, 0xdeadbeefu);
}

TEST(serialize, short_output_buffer_is_refused_and_left_alone)
{
    small_net net(7);
    std::uint8_t blob[mp::blob_bytes<small_net> - 1];
    std::memset(blob, 0xa5, sizeof blob);
    EXPECT_EQ(mp::save_parameters(net, mp::span<std::uint8_t>(blob)), mp::status::blob_too_small);
    for (std::uint8_t byte : blob) ASSERT_EQ(byte, 0xa5u);
}

TEST(serialize, trailing_or_missing_bytes_are_rejected)
{
    small_net source(7);
    static std::uint8_t blob[mp::blob_bytes<small_net> + 1000];
    ASSERT_EQ(mp::save_parameters(source, mp::span<std::uint8_t>(blob)), mp::status::ok);
    small_net target(3);
    const small_net before = target;
    for (std::size_t extra : {std::size_t{1}, std::size_t{4}, std::size_t{1000}}) {
        EXPECT_EQ(mp::load_parameters(target, mp::span<const std::uint8_t>(blob, mp::blob_bytes<small_net> + extra)),
                  mp::status::blob_length_mismatch);
    }
    for (std::size_t length : {std::size_t{0}, std::size_t{3}, std::size_t{35}, mp::blob_bytes<small_net> - 1}) {
        EXPECT_EQ(mp::load_parameters(target, mp::span<const std::uint8_t>(blob, length)), mp::status::blob_too_small);
    }
    EXPECT_TRUE(same_bits(target, before));
}

TEST(serialize, every_flipped_bit_is_rejected_with_the_weights_untouched)
{
    small_net source(7);
    std::uint8_t blob[mp::blob_bytes<small_net>];
    ASSERT_EQ(mp::save_parameters(source, mp::span<std::uint8_t>(blob)), mp::status::ok);
    small_net target(3);
    const small_net before = target;
    const mp::span<const std::uint8_t> whole(blob);
    int rejected = 0;
    for (std::size_t bit = 0; bit < 8 * sizeof blob; ++bit) {
        blob[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        rejected += mp::load_parameters(target, whole) != mp::status::ok ? 1 : 0;
        blob[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    }
    EXPECT_EQ(rejected, static_cast<int>(8 * sizeof blob));
    EXPECT_TRUE(same_bits(target, before));
    // Parameters and CRC: the CRC catches it.
    blob[40] ^= 0x10u;
    EXPECT_EQ(mp::load_parameters(target, whole), mp::status::blob_corrupt);
    blob[40] ^= 0x10u;
    // A length field that disagrees with the buffer.
    blob[4] ^= 0x01u;
    EXPECT_NE(mp::load_parameters(target, whole), mp::status::ok);
    blob[4] ^= 0x01u;
    EXPECT_EQ(mp::load_parameters(target, whole), mp::status::ok);
}

TEST(serialize, inconsistent_headers_are_corrupt_even_with_a_valid_crc)
{
    using momentum_trainer = mp::trainer<small_net, mp::squared_error, mp::momentum>;
    small_net net(7);
    momentum_trainer trainer(net);
    static std::uint8_t blob[mp::training_blob_bytes<momentum_trainer>];
    ASSERT_EQ(mp::save_training_state(trainer, mp::span<std::uint8_t>(blob)), mp::status::ok);
    small_net target(3);
    const small_net before = target;
    struct change {
        std::size_t offset;
        std::uint8_t value;
    };
    // Reserved byte; unknown optimizer kind; Adam's kind on a momentum-sized blob; "no
    // optimizer" with an optimizer section; a state count and a record size off by one.
    const change changes[] = {{23, 1}, {22, 7}, {22, 3}, {22, 0}, {24, 27}, {28, 17}};
    for (const change& c : changes) {
        const std::uint8_t saved = blob[c.offset];
        blob[c.offset] = c.value;
        reseal(blob, sizeof blob);
        EXPECT_EQ(mp::load_parameters(target, mp::span<const std::uint8_t>(blob)), mp::status::blob_corrupt);
        blob[c.offset] = saved;
    }
    reseal(blob, sizeof blob);
    EXPECT_TRUE(same_bits(target, before));
    EXPECT_EQ(mp::load_parameters(target, mp::span<const std::uint8_t>(blob)), mp::status::ok);
}

TEST(serialize, blob_of_another_topology_or_scalar_type_is_rejected)
{
    small_net target(3);
    const small_net before = target;

    other_net other(7);
    std::uint8_t other_blob[mp::blob_bytes<other_net>];
    ASSERT_EQ(mp::save_parameters(other, mp::span<std::uint8_t>(other_blob)), mp::status::ok);
    EXPECT_EQ(mp::load_parameters(target, mp::span<const std::uint8_t>(other_blob)),
              mp::status::blob_topology_mismatch);

    slope_a_net slope_a(7);
    slope_b_net slope_b(7);
    std::uint8_t slope_blob[mp::blob_bytes<slope_a_net>];
    ASSERT_EQ(mp::save_parameters(slope_a, mp::span<std::uint8_t>(slope_blob)), mp::status::ok);
    EXPECT_EQ(mp::load_parameters(slope_b, mp::span<const std::uint8_t>(slope_blob)),
              mp::status::blob_topology_mismatch);

    // A float blob whose header claims double (hash rewritten too): the scalar kind catches it.
    std::uint8_t blob[mp::blob_bytes<small_net>];
    ASSERT_EQ(mp::save_parameters(small_net(7), mp::span<std::uint8_t>(blob)), mp::status::ok);
    blob[20] = 2;
    reseal(blob, sizeof blob);
    EXPECT_EQ(mp::load_parameters(target, mp::span<const std::uint8_t>(blob)), mp::status::blob_topology_mismatch);
    EXPECT_TRUE(same_bits(target, before));
}

TEST(serialize, non_finite_weights_are_neither_saved_nor_loaded)
{
    const float bad_values[] = {__builtin_nanf(""), __builtin_inff(), -__builtin_inff()};
    for (float bad : bad_values) {
        small_net net(7);
        net.parameters()[11] = bad;
        std::uint8_t blob[mp::blob_bytes<small_net>];
        std::memset(blob, 0xa5, sizeof blob);
        EXPECT_EQ(mp::save_parameters(net, mp::span<std::uint8_t>(blob)), mp::status::blob_non_finite);
        for (std::uint8_t byte : blob) ASSERT_EQ(byte, 0xa5u);

        // The same value in a blob with a valid CRC.
        ASSERT_EQ(mp::save_parameters(small_net(7), mp::span<std::uint8_t>(blob)), mp::status::ok);
        std::memcpy(blob + 32 + 11 * sizeof(float), &bad, sizeof bad);
        reseal(blob, sizeof blob);
        small_net target(3);
        const small_net before = target;
        EXPECT_EQ(mp::load_parameters(target, mp::span<const std::uint8_t>(blob)), mp::status::blob_non_finite);
        EXPECT_TRUE(same_bits(target, before));
    }
}

TEST(serialize, version_1_blobs_are_rejected_with_their_own_status)
{
    small_net target(3);
    const small_net before = target;
    EXPECT_EQ(mp::load_parameters(target, mp::span<const std::uint8_t>(blob_golden::version_1_blob)),
              mp::status::blob_version_unsupported);
    std::uint32_t generation = 7;
    EXPECT_EQ(mp::blob_generation(mp::span<const std::uint8_t>(blob_golden::version_1_blob), generation),
              mp::status::blob_version_unsupported);
    EXPECT_EQ(generation, 7u);
    // A future version too.
    std::uint8_t blob[mp::blob_bytes<small_net>];
    ASSERT_EQ(mp::save_parameters(small_net(7), mp::span<std::uint8_t>(blob)), mp::status::ok);
    blob[3] = '3';
    reseal(blob, sizeof blob);
    EXPECT_EQ(mp::load_parameters(target, mp::span<const std::uint8_t>(blob)), mp::status::blob_version_unsupported);
    blob[0] = 'X';
    EXPECT_EQ(mp::load_parameters(target, mp::span<const std::uint8_t>(blob)), mp::status::blob_corrupt);
    EXPECT_TRUE(same_bits(target, before));
}

TEST(serialize, blob_written_by_the_host_script_loads)
{
    // microprop_blob.py encode, parameter k = (k - 10) / 8, generation 41 (tests/golden/blob_golden.hpp).
    small_net net(3);
    std::uint32_t generation = 0;
    ASSERT_EQ(mp::load_parameters(net, mp::span<const std::uint8_t>(blob_golden::blob_written_by_script), &generation),
              mp::status::ok);
    EXPECT_EQ(generation, 41u);
    for (std::size_t k = 0; k < small_net::parameter_count; ++k) {
        EXPECT_EQ(net.parameters()[k], (static_cast<float>(k) - 10.0f) / 8.0f);
    }
    // And the library writes the same bytes for the same weights.
    std::uint8_t blob[mp::blob_bytes<small_net>];
    ASSERT_EQ(mp::save_parameters(net, mp::span<std::uint8_t>(blob), 41u), mp::status::ok);
    EXPECT_EQ(std::memcmp(blob, blob_golden::blob_written_by_script, sizeof blob), 0);
}

TEST(serialize, training_resumes_bit_identically_with_sgd)
{
    check_resume_is_bit_identical<small_net>(mp::sgd{0.3f, 0.001f});
    // A clip small enough to bind on most steps (gradient norms here are around 0.1 to 1).
    check_resume_is_bit_identical<small_net>(mp::sgd{0.3f, 0.001f, 0.05f});
}

TEST(serialize, training_resumes_bit_identically_with_momentum)
{
    check_resume_is_bit_identical<small_net>(mp::momentum{0.1f, 0.8f, false, 0.0f});
    check_resume_is_bit_identical<small_net>(mp::momentum{0.1f, 0.8f, true, 0.001f});
    check_resume_is_bit_identical<small_net>(mp::momentum{0.1f, 0.8f, true, 0.001f, 0.05f});
}

TEST(serialize, training_resumes_bit_identically_with_adam)
{
    check_resume_is_bit_identical<small_net>(mp::adam{0.01f, 0.85f, 0.99f, 1e-7f, 0.0f});
    check_resume_is_bit_identical<double_net>(mp::adam{0.01f, 0.85f, 0.99f, 1e-7f, 0.0f});
    check_resume_is_bit_identical<small_net, mp::adam, 4>(mp::adam{0.01f, 0.9f, 0.999f, 1e-8f, 0.0f});
    check_resume_is_bit_identical<small_net>(mp::adam{0.01f, 0.85f, 0.99f, 1e-7f, 0.0f, 0.05f});
    check_resume_is_bit_identical<double_net, mp::adam, 4>(mp::adam{0.01f, 0.9f, 0.999f, 1e-8f, 0.0f, 0.05f});
}

TEST(serialize, bad_training_blobs_leave_network_and_trainer_untouched)
{
    using adam_trainer = mp::trainer<small_net, mp::squared_error, mp::adam>;
    using momentum_trainer = mp::trainer<small_net, mp::squared_error, mp::momentum>;
    small_net source(7);
    adam_trainer source_trainer(source, mp::adam{0.02f});
    samples data;
    train_steps(source_trainer, data, 5);
    static std::uint8_t blob[mp::training_blob_bytes<adam_trainer>];
    ASSERT_EQ(mp::save_training_state(source_trainer, mp::span<std::uint8_t>(blob), 3u), mp::status::ok);

    small_net target(3);
    adam_trainer target_trainer(target, mp::adam{0.005f});
    samples other_data;
    train_steps(target_trainer, other_data, 2);
    const small_net before = target;
    const adam_trainer before_trainer = target_trainer;
    const auto untouched = [&] {
        return same_bits(target, before) && same_state(target_trainer, before_trainer) &&
               target_trainer.optimizer().learning_rate == 0.005f &&
               target_trainer.optimizer().beta1_power == before_trainer.optimizer().beta1_power;
    };
    const mp::span<const std::uint8_t> whole(blob);

    // Every flipped bit, in the header, the parameters, the moments and the record.
    int rejected = 0;
    for (std::size_t bit = 0; bit < 8 * sizeof blob; bit += 3) {
        blob[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        rejected += mp::load_training_state(target_trainer, whole) != mp::status::ok ? 1 : 0;
        blob[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    }
    EXPECT_EQ(rejected, static_cast<int>((8 * sizeof blob + 2) / 3));
    EXPECT_TRUE(untouched());

    // A non-finite second moment and a non-finite beta1^t, with valid CRCs.
    const std::size_t moments = 32 + small_net::parameter_bytes;
    const float nan_value = __builtin_nanf("");
    std::uint8_t saved[8];
    std::memcpy(saved, blob + moments + 40 * sizeof(float), 4);
    std::memcpy(blob + moments + 40 * sizeof(float), &nan_value, 4);
    reseal(blob, sizeof blob);
    EXPECT_EQ(mp::load_training_state(target_trainer, whole), mp::status::blob_non_finite);
    std::memcpy(blob + moments + 40 * sizeof(float), saved, 4);
    const std::size_t beta1_power = sizeof blob - 4 - 16;
    const double infinite = __builtin_inf();
    std::memcpy(saved, blob + beta1_power, 8);
    std::memcpy(blob + beta1_power, &infinite, 8);
    reseal(blob, sizeof blob);
    EXPECT_EQ(mp::load_training_state(target_trainer, whole), mp::status::blob_non_finite);
    std::memcpy(blob + beta1_power, saved, 8);
    reseal(blob, sizeof blob);
    EXPECT_TRUE(untouched());

    // Weights only, or another optimizer's state: no trainer state to restore.
    std::uint8_t weights[mp::blob_bytes<small_net>];
    ASSERT_EQ(mp::save_parameters(source, mp::span<std::uint8_t>(weights)), mp::status::ok);
    EXPECT_EQ(mp::load_training_state(target_trainer, mp::span<const std::uint8_t>(weights)),
              mp::status::blob_topology_mismatch);
    small_net momentum_net(7);
    momentum_trainer momentum_source(momentum_net);
    static std::uint8_t momentum_blob[mp::training_blob_bytes<momentum_trainer>];
    ASSERT_EQ(mp::save_training_state(momentum_source, mp::span<std::uint8_t>(momentum_blob)), mp::status::ok);
    EXPECT_EQ(mp::load_training_state(target_trainer, mp::span<const std::uint8_t>(momentum_blob)),
              mp::status::blob_topology_mismatch);
    EXPECT_TRUE(untouched());

    // The intact blob restores everything, and load_parameters takes its weights alone.
    std::uint32_t generation = 0;
    ASSERT_EQ(mp::load_training_state(target_trainer, whole, &generation), mp::status::ok);
    EXPECT_EQ(generation, 3u);
    EXPECT_TRUE(same_bits(target, source));
    EXPECT_TRUE(same_state(target_trainer, source_trainer));
    EXPECT_EQ(target_trainer.optimizer().learning_rate, 0.02f);
    small_net weights_only(3);
    ASSERT_EQ(mp::load_parameters(weights_only, whole), mp::status::ok);
    EXPECT_TRUE(same_bits(weights_only, source));
}

TEST(serialize, bad_saved_gradient_clip_is_refused_and_changes_nothing)
{
    // The clip's offset in each record (the table at the top of serialize.hpp).
    check_bad_clip_is_refused(mp::sgd{0.3f, 0.0f, 0.5f}, 8);
    check_bad_clip_is_refused(mp::momentum{0.1f, 0.8f, true, 0.0f, 0.5f}, 12);
    check_bad_clip_is_refused(mp::adam{0.01f, 0.9f, 0.999f, 1e-8f, 0.0f, 0.5f}, 20);

    // The momentum record's other range check, after the clip: a Nesterov flag of 2.
    using momentum_trainer = mp::trainer<small_net, mp::squared_error, mp::momentum>;
    small_net net(7);
    momentum_trainer trainer(net, mp::momentum{0.1f, 0.8f, true, 0.0f, 0.5f});
    static std::uint8_t blob[mp::training_blob_bytes<momentum_trainer>];
    ASSERT_EQ(mp::save_training_state(trainer, mp::span<std::uint8_t>(blob)), mp::status::ok);
    const std::size_t nesterov = sizeof blob - 4 - 4;
    ASSERT_EQ(mp::detail::get_u32(blob + nesterov), 1u);
    mp::detail::put_u32(blob + nesterov, 2u);
    reseal(blob, sizeof blob);
    small_net target(3);
    momentum_trainer target_trainer(target);
    EXPECT_EQ(mp::load_training_state(target_trainer, mp::span<const std::uint8_t>(blob)), mp::status::blob_corrupt);
    EXPECT_FALSE(target_trainer.optimizer().nesterov);
}

TEST(serialize, non_finite_trainer_state_is_not_saved)
{
    using momentum_trainer = mp::trainer<small_net, mp::squared_error, mp::momentum>;
    small_net net(7);
    momentum_trainer trainer(net);
    trainer.optimizer_state()[4] = __builtin_inff();
    static std::uint8_t blob[mp::training_blob_bytes<momentum_trainer>];
    std::memset(blob, 0xa5, sizeof blob);
    EXPECT_EQ(mp::save_training_state(trainer, mp::span<std::uint8_t>(blob)), mp::status::blob_non_finite);
    for (std::uint8_t byte : blob) ASSERT_EQ(byte, 0xa5u);
    trainer.optimizer_state()[4] = 0.0f;
    trainer.optimizer().learning_rate = __builtin_nanf("");
    EXPECT_EQ(mp::save_training_state(trainer, mp::span<std::uint8_t>(blob)), mp::status::blob_non_finite);
    for (std::uint8_t byte : blob) ASSERT_EQ(byte, 0xa5u);
}

// ---- Elastic weight consolidation's state (consolidation.hpp): optimizer kinds 4-6 ----

// The consolidation cases share their buffers: the 16 KB micro:bit runs this image too.
using consolidated_adam_trainer = mp::trainer<small_net, mp::squared_error, mp::consolidated<mp::adam>>;
float consolidation_scratch[mp::consolidation_scratch_size<small_net>];
/// Room for the largest consolidation blob here (consolidated<adam>), and one byte more.
std::uint8_t consolidation_blob[mp::training_blob_bytes<consolidated_adam_trainer>];
std::uint8_t other_blob[sizeof consolidation_blob + 1];

/// Task A (steps of the sample stream), then consolidate() over 16 fresh samples: F and
/// theta* are then non-trivial, and later steps feel the penalty.
template <class Trainer>
void train_task_a_and_consolidate(Trainer& trainer, samples& data)
{
    train_steps(trainer, data, 30);
    float xs[16 * 3];
    float ds[16 * 2];
    for (int n = 0; n < 16; ++n) data.draw(xs + 3 * n, ds + 2 * n);
    ASSERT_EQ(mp::consolidate(trainer, xs, ds, 16, mp::span<float>(consolidation_scratch)), mp::status::ok);
}

/// As check_resume_is_bit_identical, with consolidation: task A, consolidate, 20 steps of
/// task B, save; the restored trainer was built with strength 0 and the inner optimizer's
/// defaults, so only the blob can bring F, theta*, the strength and the inner state back.
template <class Inner, std::size_t Batch = 1>
void check_consolidated_resume_is_bit_identical(mp::consolidated<Inner> settings)
{
    using trainer_t = mp::trainer<small_net, mp::squared_error, mp::consolidated<Inner>, Batch>;
    static_assert(mp::blob_optimizer_record<mp::consolidated<Inner>>::kind == mp::blob_optimizer_record<Inner>::kind + 3,
                  "consolidated kinds follow the inner ones");
    constexpr int first_steps = 20;
    constexpr int more_steps = 25;

    small_net uninterrupted(5);
    trainer_t uninterrupted_trainer(uninterrupted, settings);
    samples uninterrupted_data;
    train_task_a_and_consolidate(uninterrupted_trainer, uninterrupted_data);
    train_steps(uninterrupted_trainer, uninterrupted_data, first_steps + more_steps);

    small_net before(5);
    trainer_t before_trainer(before, settings);
    samples data;
    train_task_a_and_consolidate(before_trainer, data);
    train_steps(before_trainer, data, first_steps);
    const mp::span<std::uint8_t> blob(consolidation_blob, mp::training_blob_bytes<trainer_t>);
    static_assert(mp::training_blob_bytes<trainer_t> == 32 + small_net::parameter_bytes + trainer_t::optimizer_state_bytes +
                                     mp::blob_optimizer_record<Inner>::bytes + 4 + 4,
                  "the blob holds the inner state plus F and theta*, and the inner record plus strength");
    ASSERT_EQ(mp::save_training_state(before_trainer, blob, 9u), mp::status::ok);
    const samples data_at_save = data;

    small_net restored(99);
    mp::consolidated<Inner> other_settings{};
    other_settings.strength = 0.0f;
    trainer_t restored_trainer(restored, other_settings);
    ASSERT_EQ(mp::load_training_state(restored_trainer, mp::span<const std::uint8_t>(blob.data(), blob.size())), mp::status::ok);
    EXPECT_EQ(restored_trainer.optimizer().strength, settings.strength);
    EXPECT_EQ(restored_trainer.optimizer().learning_rate, settings.learning_rate);
    train_steps(restored_trainer, data, more_steps);
    EXPECT_TRUE(same_bits(restored, uninterrupted));
    EXPECT_TRUE(same_state(restored_trainer, uninterrupted_trainer));

    // The consolidation mattered: the same resume with strength 0 ends elsewhere.
    small_net unconsolidated(99);
    trainer_t unconsolidated_trainer(unconsolidated, other_settings);
    ASSERT_EQ(mp::load_training_state(unconsolidated_trainer, mp::span<const std::uint8_t>(blob.data(), blob.size())),
              mp::status::ok);
    unconsolidated_trainer.optimizer().strength = 0.0f;
    samples same_data = data_at_save;
    train_steps(unconsolidated_trainer, same_data, more_steps);
    EXPECT_FALSE(same_bits(unconsolidated, uninterrupted));
}

TEST(serialize, training_resumes_bit_identically_with_consolidation)
{
    mp::consolidated<mp::sgd> sgd_settings;
    sgd_settings.learning_rate = 0.3f;
    sgd_settings.strength = 40.0f;
    check_consolidated_resume_is_bit_identical(sgd_settings);
    mp::consolidated<mp::momentum> momentum_settings;
    momentum_settings.learning_rate = 0.1f;
    momentum_settings.momentum = 0.8f;
    momentum_settings.nesterov = true;
    momentum_settings.strength = 40.0f;
    check_consolidated_resume_is_bit_identical(momentum_settings);
    mp::consolidated<mp::adam> adam_settings;
    adam_settings.learning_rate = 0.01f;
    adam_settings.beta1 = 0.85f;
    adam_settings.strength = 40.0f;
    check_consolidated_resume_is_bit_identical(adam_settings);
    check_consolidated_resume_is_bit_identical<mp::adam, 4>(adam_settings);
}

/// Saves a fresh trainer of type Source (default settings) and loads that blob into
/// `target`: the load's status (flash_error if the save itself failed).
template <class Source, class Target>
mp::status load_blob_of(Target& target)
{
    static_assert(mp::training_blob_bytes<Source> <= sizeof other_blob, "other_blob holds the blob");
    small_net net(7);
    Source source(net);
    const mp::span<std::uint8_t> blob(other_blob, mp::training_blob_bytes<Source>);
    if (mp::save_training_state(source, blob) != mp::status::ok) return mp::status::flash_error;
    return mp::load_training_state(target, mp::span<const std::uint8_t>(blob.data(), blob.size()));
}

TEST(serialize, bad_consolidation_blobs_leave_network_and_trainer_untouched)
{
    using trainer_t = consolidated_adam_trainer;
    constexpr std::size_t p = small_net::parameter_count;
    mp::consolidated<mp::adam> settings;
    settings.learning_rate = 0.02f;
    settings.strength = 7.0f;
    small_net source(7);
    trainer_t source_trainer(source, settings);
    samples data;
    train_task_a_and_consolidate(source_trainer, data);
    train_steps(source_trainer, data, 3);
    std::uint8_t* const blob = consolidation_blob;
    constexpr std::size_t blob_size = sizeof consolidation_blob;
    ASSERT_EQ(mp::save_training_state(source_trainer, mp::span<std::uint8_t>(consolidation_blob), 3u), mp::status::ok);
    EXPECT_EQ(blob[22], 6u);  // optimizer kind: consolidated<adam>

    small_net target(3);
    mp::consolidated<mp::adam> target_settings;
    target_settings.learning_rate = 0.005f;
    target_settings.strength = 1.0f;
    trainer_t target_trainer(target, target_settings);
    samples other_data;
    train_task_a_and_consolidate(target_trainer, other_data);
    const small_net before = target;
    const trainer_t before_trainer = target_trainer;
    const auto untouched = [&] {
        return same_bits(target, before) && same_state(target_trainer, before_trainer) &&
               target_trainer.optimizer().learning_rate == 0.005f && target_trainer.optimizer().strength == 1.0f &&
               target_trainer.optimizer().beta1_power == before_trainer.optimizer().beta1_power;
    };
    const mp::span<const std::uint8_t> whole(blob, blob_size);

    // Every flipped bit (one in five), anywhere: header, weights, moments, F, theta*, record.
    int tried = 0, rejected = 0;
    for (std::size_t bit = 0; bit < 8 * blob_size; bit += 5) {
        blob[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        rejected += mp::load_training_state(target_trainer, whole) != mp::status::ok ? 1 : 0;
        ++tried;
        blob[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    }
    EXPECT_EQ(rejected, tried);
    EXPECT_TRUE(untouched());

    // Length and version.
    EXPECT_EQ(mp::load_training_state(target_trainer, mp::span<const std::uint8_t>(blob, blob_size - 1)),
              mp::status::blob_too_small);
    std::memcpy(other_blob, blob, blob_size);
    EXPECT_EQ(mp::load_training_state(target_trainer, mp::span<const std::uint8_t>(other_blob, blob_size + 1)),
              mp::status::blob_length_mismatch);
    blob[3] = '1';
    reseal(blob, blob_size);
    EXPECT_EQ(mp::load_training_state(target_trainer, whole), mp::status::blob_version_unsupported);
    blob[3] = '2';
    blob[22] = 7;  // no such optimizer kind
    reseal(blob, blob_size);
    EXPECT_EQ(mp::load_training_state(target_trainer, whole), mp::status::blob_corrupt);
    blob[22] = 6;
    reseal(blob, blob_size);
    EXPECT_TRUE(untouched());

    // Non-finite F and theta*, and a strength that is NaN, negative or too large (valid CRCs).
    const std::size_t state = 32 + small_net::parameter_bytes;
    const std::size_t importance = state + 2 * p * sizeof(float);
    const std::size_t anchor = state + 3 * p * sizeof(float);
    const std::size_t strength = blob_size - 4 - 4;
    const auto load_with = [&](std::size_t offset, float value) {
        std::uint8_t saved[4];
        std::memcpy(saved, blob + offset, 4);
        std::memcpy(blob + offset, &value, 4);
        reseal(blob, blob_size);
        const mp::status s = mp::load_training_state(target_trainer, whole);
        std::memcpy(blob + offset, saved, 4);
        reseal(blob, blob_size);
        return s;
    };
    EXPECT_EQ(load_with(importance + 5 * sizeof(float), __builtin_nanf("")), mp::status::blob_non_finite);
    EXPECT_EQ(load_with(anchor + (p - 1) * sizeof(float), -__builtin_inff()), mp::status::blob_non_finite);
    EXPECT_EQ(mp::detail::get_f32(blob + strength), 7.0f);
    EXPECT_EQ(load_with(strength, __builtin_nanf("")), mp::status::blob_non_finite);
    EXPECT_EQ(load_with(strength, -1.0f), mp::status::blob_corrupt);
    EXPECT_EQ(load_with(strength, 2e6f), mp::status::blob_corrupt);
    EXPECT_TRUE(untouched());

    // Another optimizer's blob, with or without consolidation, does not fit this trainer, and
    // this blob does not fit a plain Adam trainer.
    using adam_trainer = mp::trainer<small_net, mp::squared_error, mp::adam>;
    using consolidated_sgd_trainer = mp::trainer<small_net, mp::squared_error, mp::consolidated<mp::sgd>>;
    EXPECT_EQ(load_blob_of<adam_trainer>(target_trainer), mp::status::blob_topology_mismatch);
    EXPECT_EQ(load_blob_of<consolidated_sgd_trainer>(target_trainer), mp::status::blob_topology_mismatch);
    small_net other(7);
    adam_trainer plain(other);
    EXPECT_EQ(mp::load_training_state(plain, whole), mp::status::blob_topology_mismatch);
    EXPECT_TRUE(untouched());

    // Saving refuses a strength no load would accept, writing nothing.
    const mp::span<std::uint8_t> refused(other_blob, blob_size);
    std::memset(other_blob, 0xa5, blob_size);
    source_trainer.optimizer().strength = -2.0f;
    EXPECT_EQ(mp::save_training_state(source_trainer, refused), mp::status::invalid_hyperparameter);
    source_trainer.optimizer().strength = __builtin_inff();
    EXPECT_EQ(mp::save_training_state(source_trainer, refused), mp::status::blob_non_finite);
    for (std::uint8_t byte : refused) ASSERT_EQ(byte, 0xa5u);
    source_trainer.optimizer().strength = 7.0f;

    // The intact blob restores everything.
    ASSERT_EQ(mp::load_training_state(target_trainer, whole), mp::status::ok);
    EXPECT_TRUE(same_bits(target, source));
    EXPECT_TRUE(same_state(target_trainer, source_trainer));
    EXPECT_EQ(target_trainer.optimizer().strength, 7.0f);
    for (std::size_t q = 0; q < p; ++q) EXPECT_EQ(mp::consolidation_importance(target_trainer)[q], mp::consolidation_importance(source_trainer)[q]);
}

TEST(serialize, crc32_matches_the_standard_check_value)
{
    // CRC-32/IEEE of "123456789" is 0xCBF43926 (the catalogue's check value).
    const std::uint8_t text[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    EXPECT_EQ(mp::detail::crc32(text, sizeof text), 0xcbf43926u);
}
