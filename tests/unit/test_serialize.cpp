// Weight blobs: round trip, and every kind of bad blob rejected with the weights untouched.
#include <microprop/microprop.hpp>

#include "microtest.hpp"

namespace mp = microprop;

namespace {
using small_net = mp::network<float, mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>, mp::sigmoid>;
using other_net = mp::network<float, mp::dense<3, 4>, mp::relu, mp::dense<4, 2>, mp::sigmoid>;
using double_net = mp::network<double, mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>, mp::sigmoid>;

bool same_parameters(const small_net& a, const small_net& b)
{
    for (std::size_t k = 0; k < small_net::parameter_count; ++k) {
        if (a.parameters()[k] != b.parameters()[k]) return false;
    }
    return true;
}
}  // namespace

static_assert(mp::blob_bytes<small_net> == 16 + small_net::parameter_bytes + 4,
              "blob = 16-byte header + parameters + CRC");
static_assert(mp::topology_hash<small_net>() != mp::topology_hash<other_net>(),
              "activations are part of the topology hash");
static_assert(mp::topology_hash<small_net>() != mp::topology_hash<double_net>(),
              "the scalar size is part of the topology hash");

TEST(serialize, round_trip_restores_every_bit)
{
    small_net saved(7);
    std::uint8_t blob[mp::blob_bytes<small_net>];
    ASSERT_EQ(mp::save_parameters(saved, mp::span<std::uint8_t>(blob)), mp::status::ok);
    small_net loaded(99);
    EXPECT_FALSE(same_parameters(saved, loaded));
    ASSERT_EQ(mp::load_parameters(loaded, mp::span<const std::uint8_t>(blob, sizeof blob)), mp::status::ok);
    EXPECT_TRUE(same_parameters(saved, loaded));
}

TEST(serialize, short_output_buffer_is_refused)
{
    small_net net(7);
    std::uint8_t blob[mp::blob_bytes<small_net> - 1];
    EXPECT_EQ(mp::save_parameters(net, mp::span<std::uint8_t>(blob)), mp::status::blob_too_small);
}

TEST(serialize, bad_blobs_leave_weights_untouched)
{
    small_net source(7);
    std::uint8_t blob[mp::blob_bytes<small_net>];
    ASSERT_EQ(mp::save_parameters(source, mp::span<std::uint8_t>(blob)), mp::status::ok);

    small_net target(3);
    const small_net before = target;
    const mp::span<const std::uint8_t> whole(blob, sizeof blob);

    EXPECT_EQ(mp::load_parameters(target, whole.subspan(0, sizeof blob - 1)), mp::status::blob_too_small);
    EXPECT_TRUE(same_parameters(target, before));

    // One flipped bit anywhere in the parameters or the CRC.
    for (std::size_t byte = 16; byte < sizeof blob; byte += 7) {
        blob[byte] ^= 0x10u;
        EXPECT_EQ(mp::load_parameters(target, whole), mp::status::blob_corrupt);
        blob[byte] ^= 0x10u;
    }
    EXPECT_TRUE(same_parameters(target, before));

    blob[0] ^= 0xffu;
    EXPECT_EQ(mp::load_parameters(target, whole), mp::status::blob_corrupt);
    blob[0] ^= 0xffu;
    EXPECT_TRUE(same_parameters(target, before));
}

TEST(serialize, blob_of_another_topology_is_rejected)
{
    other_net source(7);
    std::uint8_t blob[mp::blob_bytes<other_net>];
    ASSERT_EQ(mp::save_parameters(source, mp::span<std::uint8_t>(blob)), mp::status::ok);
    small_net target(3);
    const small_net before = target;
    EXPECT_EQ(mp::load_parameters(target, mp::span<const std::uint8_t>(blob, sizeof blob)),
              mp::status::blob_topology_mismatch);
    EXPECT_TRUE(same_parameters(target, before));
}

TEST(serialize, crc32_matches_the_standard_check_value)
{
    // CRC-32/IEEE of "123456789" is 0xCBF43926 (the catalogue's check value).
    const std::uint8_t text[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    EXPECT_EQ(mp::detail::crc32(text, sizeof text), 0xcbf43926u);
}
