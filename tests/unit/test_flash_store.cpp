// The power-loss-safe flash store, on a simulated NOR flash that loses power
// at every programmed unit and every erase of several saves in a row.
//
// For each cut, a fresh store over the same flash (what a reboot sees) must
// load either the record before the interrupted save or the one it was
// writing, byte for byte, and must then save again. The tally is printed as
// "power-cut simulation: N cut points, L lost, M mixed".
#include <microprop/flash_store.hpp>

#include "microtest.hpp"
#include "nor_flash_simulator.hpp"

namespace mp = microprop;
using microprop_test::cut_kind;
using microprop_test::nor_flash_simulator;

namespace {

// Fewer chained rounds on the emulated cores; every cut point is still tried.
#if defined(__arm__)
constexpr std::size_t chained_rounds = 60;
#else
constexpr std::size_t chained_rounds = 400;
#endif

struct cut_tally {
    std::size_t cuts = 0;
    std::size_t lost = 0;
    std::size_t mixed = 0;
};
cut_tally tally;

// Record j: a length that varies with j (never a multiple of the write unit
// for most j) and bytes that differ from every other record's.
template <std::size_t MaxRecord>
std::size_t record_length(std::size_t j)
{
    return MaxRecord - (j * 29u) % (MaxRecord / 3u);
}

std::uint8_t record_byte(std::size_t j, std::size_t position)
{
    std::uint32_t h = static_cast<std::uint32_t>(j * 2654435761u) ^ static_cast<std::uint32_t>(position * 40503u);
    h ^= h >> 15;
    h *= 2246822519u;
    h ^= h >> 13;
    return static_cast<std::uint8_t>(h);
}

template <std::size_t MaxRecord>
std::size_t make_record(std::size_t j, std::uint8_t* out)
{
    const std::size_t n = record_length<MaxRecord>(j);
    for (std::size_t p = 0; p < n; ++p) out[p] = record_byte(j, p);
    return n;
}

template <std::size_t MaxRecord>
bool is_record(std::size_t j, const std::uint8_t* data, std::size_t length)
{
    if (length != record_length<MaxRecord>(j)) return false;
    for (std::size_t p = 0; p < length; ++p) {
        if (data[p] != record_byte(j, p)) return false;
    }
    return true;
}

template <class Flash, std::size_t MaxRecord, std::size_t Slots>
struct layout {
    using flash = Flash;
    using store = mp::flash_store<Flash, MaxRecord, Slots>;
    static constexpr std::size_t max_record = MaxRecord;
};

// What a reboot finds after save `attempted` was cut, when `committed` was the
// last save that completed (none when attempted == 0). Counts lost and mixed.
template <class Layout>
void check_recovery(typename Layout::flash& flash, std::size_t attempted, bool any_committed, std::size_t committed,
                    std::uint8_t* buffer, std::size_t& recovered)
{
    typename Layout::store rebooted(flash);
    std::size_t length = 0;
    const mp::status s = rebooted.load(mp::span<std::uint8_t>(buffer, Layout::max_record), length);
    ++tally.cuts;
    if (s == mp::status::store_empty && !any_committed) {
        recovered = attempted + 1;  // nothing yet: marks "empty"
        return;
    }
    if (s != mp::status::ok) {
        ++tally.lost;
        EXPECT_EQ(s, mp::status::ok);
        return;
    }
    if (any_committed && is_record<Layout::max_record>(committed, buffer, length)) {
        recovered = committed;
    } else if (is_record<Layout::max_record>(attempted, buffer, length)) {
        recovered = attempted;
    } else {
        ++tally.mixed;
        EXPECT_TRUE(false && "recovered record is neither the old nor the new one");
    }
}

// Saves records 0..saves-1 in a row; for every operation k of save i (each
// erase and each programmed write unit), replays saves 0..i-1 on a fresh
// flash, cuts power at k (cleanly, and torn), reboots, checks what loads,
// and saves once more from the recovered store.
template <class Layout>
void cut_every_operation(std::uint8_t initial_fill, std::size_t saves)
{
    using store_type = typename Layout::store;
    constexpr std::size_t max_record = Layout::max_record;
    typename Layout::flash flash;
    std::uint8_t record[max_record];
    std::uint8_t* const loaded = record;  // one buffer (8 KB parts): a record is made again before each save

    for (std::size_t i = 0; i < saves; ++i) {
        // Count the operations of save i.
        flash.fill(initial_fill);
        store_type counting(flash);
        for (std::size_t j = 0; j < i; ++j) {
            const std::size_t n = make_record<max_record>(j, record);
            ASSERT_EQ(counting.save(mp::span<const std::uint8_t>(record, n)), mp::status::ok);
        }
        flash.disarm();
        std::size_t n = make_record<max_record>(i, record);
        ASSERT_EQ(counting.save(mp::span<const std::uint8_t>(record, n)), mp::status::ok);
        const std::size_t operations = flash.operations();
        ASSERT_GE(operations, store_type::erases_per_save + 2);

        for (std::size_t k = 0; k < operations; ++k) {
            for (cut_kind kind : {cut_kind::clean, cut_kind::torn}) {
                flash.fill(initial_fill);
                store_type before(flash);
                for (std::size_t j = 0; j < i; ++j) {
                    n = make_record<max_record>(j, record);
                    ASSERT_EQ(before.save(mp::span<const std::uint8_t>(record, n)), mp::status::ok);
                }
                flash.arm(kind, k, static_cast<std::uint32_t>(0x9e3779b9u * (k + 1) + i));
                n = make_record<max_record>(i, record);
                EXPECT_NE(before.save(mp::span<const std::uint8_t>(record, n)), mp::status::ok);
                flash.disarm();

                std::size_t recovered = 0;
                const std::size_t tally_lost = tally.lost + tally.mixed;
                check_recovery<Layout>(flash, i, i > 0, i - 1, loaded, recovered);
                if (tally.lost + tally.mixed != tally_lost) return;

                // Training goes on: the next save from the recovered state works.
                store_type resumed(flash);
                std::size_t length = 0;
                static_cast<void>(resumed.load(mp::span<std::uint8_t>(loaded, max_record), length));
                const std::size_t next = 1000 + i;
                n = make_record<max_record>(next, record);
                ASSERT_EQ(resumed.save(mp::span<const std::uint8_t>(record, n)), mp::status::ok);
                store_type again(flash);
                ASSERT_EQ(again.load(mp::span<std::uint8_t>(loaded, max_record), length), mp::status::ok);
                ASSERT_TRUE(is_record<max_record>(next, loaded, length));
                const std::uint32_t expected_generation =
                    static_cast<std::uint32_t>(recovered == i + 1 ? 1 : recovered + 2);
                ASSERT_EQ(again.generation(), expected_generation);
            }
        }
    }
}

// A long life of saves, each cut at a random point (or not at all), with the
// flash never reset: damage from earlier cuts stays on it.
template <class Layout>
void cut_at_random_for_many_saves(std::uint8_t initial_fill, std::uint32_t seed)
{
    using store_type = typename Layout::store;
    constexpr std::size_t max_record = Layout::max_record;
    typename Layout::flash flash;
    flash.fill(initial_fill);
    std::uint8_t record[max_record];
    std::uint8_t* const loaded = record;  // one buffer (8 KB parts): a record is made again before each save
    bool any_committed = false;
    std::size_t committed = 0;
    std::uint32_t random = seed;
    // Operations of a full save: the erases, header, record units and marker.
    constexpr std::size_t most_operations = store_type::erases_per_save + store_type::slot_bytes / Layout::flash::write_bytes;

    for (std::size_t round = 0; round < chained_rounds; ++round) {
        store_type store(flash);
        const std::size_t n = make_record<max_record>(round, record);
        const cut_kind kind = microprop_test::xorshift32(random) % 2u == 0 ? cut_kind::clean : cut_kind::torn;
        const std::size_t at = microprop_test::xorshift32(random) % (most_operations + most_operations / 4);
        flash.arm(kind, at, microprop_test::xorshift32(random));
        const mp::status saved = store.save(mp::span<const std::uint8_t>(record, n));
        flash.disarm();

        std::size_t recovered = round + 1;
        const std::size_t lost_before = tally.lost + tally.mixed;
        check_recovery<Layout>(flash, round, any_committed, committed, loaded, recovered);
        if (tally.lost + tally.mixed != lost_before) return;
        if (saved == mp::status::ok) EXPECT_EQ(recovered, round);  // a completed save is never lost
        if (recovered <= round) {
            any_committed = true;
            committed = recovered;
        }
    }
    EXPECT_TRUE(any_committed);
}

using nrf51_flash = nor_flash_simulator<1024, 4, 4>;     // the nRF51's 1 KB pages, 4 of them
using small_page_flash = nor_flash_simulator<256, 8, 4>;
using tiny_page_flash = nor_flash_simulator<128, 16, 4>;
using double_word_flash = nor_flash_simulator<512, 4, 8>;  // 8-byte program unit (STM32 x64 style)

using nrf51_two_slots = layout<nrf51_flash, 1500, 2>;
using small_two_slots = layout<small_page_flash, 700, 2>;
using tiny_four_slots = layout<tiny_page_flash, 300, 4>;
using double_word_two_slots = layout<double_word_flash, 1000, 2>;

// The layout of the header and the slot sizes, worked out by hand.
static_assert(nrf51_two_slots::store::header_bytes == 16, "16-byte header");
static_assert(nrf51_two_slots::store::marker_offset == 16 + 1500, "marker right after the largest record");
static_assert(nrf51_two_slots::store::slot_bytes == 1520, "header + record + 4-byte marker");
static_assert(nrf51_two_slots::store::pages_per_slot == 2, "1520 bytes take two 1 KB pages");
static_assert(nrf51_two_slots::store::erases_per_save == 2, "a save erases its slot's two pages");
static_assert(small_two_slots::store::pages_per_slot == 3 && small_two_slots::store::region_pages == 6,
              "720 bytes take three 256-byte pages");
static_assert(tiny_four_slots::store::pages_per_slot == 3 && tiny_four_slots::store::region_pages == 12,
              "320 bytes take three 128-byte pages, four slots twelve");
static_assert(double_word_two_slots::store::marker_bytes == 8 && double_word_two_slots::store::slot_bytes == 1024,
              "an 8-byte write unit gives an 8-byte marker; 16 + 1000 + 8 = 1024 bytes");
static_assert(double_word_two_slots::store::pages_per_slot == 2, "1024 bytes exactly fill two 512-byte pages");
static_assert(nrf51_two_slots::store::lifetime_saves(20000) == 40000, "2 slots: 20,000 erase cycles x 2");
static_assert(tiny_four_slots::store::lifetime_saves(20000) == 80000, "4 slots: 20,000 erase cycles x 4");
static_assert(mp::detail::generation_is_newer(0u, 0xffffffffu), "generation 0 follows 0xffffffff");
static_assert(!mp::detail::generation_is_newer(0xffffffffu, 0u), "and not the other way round");
static_assert(!mp::detail::generation_is_newer(7u, 7u), "a generation is not newer than itself");

}  // namespace

TEST(flash_store, streamed_crc_matches_the_reference_check_value)
{
    // CRC-32/IEEE check value of "123456789" (the catalogue's "check" entry).
    const std::uint8_t digits[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    EXPECT_EQ(mp::detail::crc32(digits, 9), 0xcbf43926u);
    EXPECT_EQ(mp::detail::crc32(digits + 4, 5, mp::detail::crc32(digits, 4)), 0xcbf43926u);
}

TEST(flash_store, the_simulator_behaves_like_nor_flash)
{
    using flash_type = nor_flash_simulator<16, 2, 4>;
    flash_type flash;
    flash.fill(0x00);
    alignas(8) std::uint8_t data[8] = {0x0F, 0xF0, 0xFF, 0x00, 0xFF, 0xFF, 0xFF, 0xFF};
    std::uint8_t read[8];
    // Programming without an erase never sets a bit.
    ASSERT_TRUE(flash.program(0, data, 4));
    flash.read(0, read, 4);
    EXPECT_EQ(read[0] | read[1] | read[2] | read[3], 0);
    ASSERT_TRUE(flash.erase_page(0));
    flash.read(0, read, 8);
    EXPECT_EQ(read[0] & read[7], 0xFF);
    EXPECT_EQ(flash.raw()[16], 0x00);  // page 1 untouched
    // Programming is old & new: 0x0F over 0xF0 gives 0x00.
    ASSERT_TRUE(flash.program(0, data, 4));
    data[0] = 0xF0;
    ASSERT_TRUE(flash.program(0, data, 4));
    flash.read(0, read, 4);
    EXPECT_EQ(read[0], 0x00);
    EXPECT_EQ(read[1], 0xF0);
    // Misaligned or partial units are refused, as a strict driver would.
    EXPECT_FALSE(flash.program(2, data, 4));
    EXPECT_FALSE(flash.program(0, data, 3));
    EXPECT_FALSE(flash.program(0, data + 4, 4));  // 4-byte aligned only
    // A clean cut: that operation and every later one do nothing.
    ASSERT_TRUE(flash.erase_page(0));
    flash.arm(cut_kind::clean, 1);
    data[0] = 0x00;
    EXPECT_TRUE(flash.program(0, data, 4));
    EXPECT_FALSE(flash.program(4, data, 4));
    EXPECT_FALSE(flash.erase_page(0));
    EXPECT_FALSE(flash.powered());
    flash.read(0, read, 8);
    EXPECT_EQ(read[0], 0x00);
    EXPECT_EQ(read[4], 0xFF);
    // A torn program clears a subset of the bits it would clear, and a few
    // hundred torn writes clear some but not all of them.
    std::size_t partly = 0;
    for (std::uint32_t seed = 1; seed <= 200; ++seed) {
        flash.disarm();
        ASSERT_TRUE(flash.erase_page(0));
        flash.arm(cut_kind::torn, 0, seed);
        alignas(8) const std::uint8_t zeros[4] = {0, 0, 0, 0};
        EXPECT_FALSE(flash.program(0, zeros, 4));
        flash.read(0, read, 4);
        const bool none_cleared = (read[0] & read[1] & read[2] & read[3]) == 0xFF;
        const bool all_cleared = (read[0] | read[1] | read[2] | read[3]) == 0x00;
        if (!none_cleared && !all_cleared) ++partly;
    }
    EXPECT_GT(partly, 150u);
}

TEST(flash_store, empty_and_all_zero_regions_hold_nothing)
{
    nrf51_flash flash;
    std::uint8_t loaded[1500];
    std::uint8_t* const record = loaded;
    for (std::uint8_t fill : {std::uint8_t{0xFF}, std::uint8_t{0x00}}) {
        flash.fill(fill);
        nrf51_two_slots::store store(flash);
        std::size_t length = 7;
        loaded[0] = 0x5A;
        EXPECT_EQ(store.load(loaded, length), mp::status::store_empty);
        EXPECT_EQ(length, 7u);
        EXPECT_EQ(loaded[0], 0x5A);
        EXPECT_FALSE(store.has_record());
        // The first save erases before it programs, even over zeros.
        const std::size_t n = make_record<1500>(3, record);
        ASSERT_EQ(store.save(mp::span<const std::uint8_t>(record, n)), mp::status::ok);
        nrf51_two_slots::store rebooted(flash);
        ASSERT_EQ(rebooted.load(loaded, length), mp::status::ok);
        EXPECT_TRUE(is_record<1500>(3, loaded, length));
        EXPECT_EQ(rebooted.generation(), 1u);
    }
}

TEST(flash_store, slot_layout_is_the_documented_one)
{
    // Builds the expected slot from the header comment and compares raw flash.
    small_page_flash flash;
    flash.fill(0xFF);
    small_two_slots::store store(flash);
    std::uint8_t record[700];
    const std::size_t n = make_record<700>(1, record);  // 671 bytes: the last unit is padded
    ASSERT_EQ(n % 4u != 0u, true);
    ASSERT_EQ(store.save(mp::span<const std::uint8_t>(record, n)), mp::status::ok);
    const std::uint8_t* slot = flash.raw();
    const std::uint8_t magic[] = {'M', 'P', 'S', '1'};
    const std::uint8_t marker[] = {'M', 'C', 'O', 'K'};
    for (std::size_t b = 0; b < 4; ++b) EXPECT_EQ(slot[b], magic[b]);
    EXPECT_EQ(mp::detail::get_u32(slot + 4), 1u);
    EXPECT_EQ(mp::detail::get_u32(slot + 8), static_cast<std::uint32_t>(n));
    const std::uint32_t crc = mp::detail::crc32(record, n, mp::detail::crc32(slot + 4, 8));
    EXPECT_EQ(mp::detail::get_u32(slot + 12), crc);
    bool record_matches = true;
    for (std::size_t p = 0; p < n; ++p) record_matches = record_matches && slot[16 + p] == record[p];
    EXPECT_TRUE(record_matches);
    for (std::size_t p = 16 + n; p < 16 + 700; ++p) {
        if (slot[p] != 0xFF) {
            EXPECT_EQ(slot[p], 0xFF);
            break;
        }
    }
    for (std::size_t b = 0; b < 4; ++b) EXPECT_EQ(slot[16 + 700 + b], marker[b]);
    // The second save goes to the other slot, pages 3..5; slot 0 is not touched.
    ASSERT_EQ(store.save(mp::span<const std::uint8_t>(record, n)), mp::status::ok);
    EXPECT_EQ(store.newest_slot(), 1u);
    EXPECT_EQ(mp::detail::get_u32(flash.raw() + 3 * 256 + 4), 2u);
    EXPECT_EQ(flash.erase_count(0), 1u);
    EXPECT_EQ(flash.erase_count(3), 1u);
}

TEST(flash_store, rejects_what_does_not_fit_and_leaves_the_buffer_alone)
{
    small_page_flash flash;
    flash.fill(0xFF);
    small_two_slots::store store(flash);
    std::uint8_t record[701] = {};
    EXPECT_EQ(store.save(mp::span<const std::uint8_t>(record, 701)), mp::status::blob_length_mismatch);
    EXPECT_EQ(flash.erase_count(0), 0u);
    const std::size_t n = make_record<700>(0, record);
    ASSERT_EQ(store.save(mp::span<const std::uint8_t>(record, n)), mp::status::ok);
    std::uint8_t small[100];
    for (std::uint8_t& b : small) b = 0xA5;
    std::size_t length = 0;
    EXPECT_EQ(store.load(mp::span<std::uint8_t>(small, 100), length), mp::status::blob_too_small);
    bool untouched = true;
    for (std::uint8_t b : small) untouched = untouched && b == 0xA5;
    EXPECT_TRUE(untouched);
    // A zero-length record is a record too.
    ASSERT_EQ(store.save(mp::span<const std::uint8_t>(record, 0)), mp::status::ok);
    small_two_slots::store rebooted(flash);
    EXPECT_EQ(rebooted.load(mp::span<std::uint8_t>(small, 100), length), mp::status::ok);
    EXPECT_EQ(length, 0u);
    EXPECT_EQ(rebooted.generation(), 2u);
}

TEST(flash_store, a_failing_driver_gives_flash_error_and_keeps_the_old_copy)
{
    // Every operation of a save fails once (returns false, power stays on),
    // then an erase that silently does nothing: the save reports flash_error,
    // the same store still loads the old record, and the next save works.
    tiny_page_flash flash;
    std::uint8_t record[300];
    std::uint8_t loaded[300];
    flash.fill(0xFF);
    tiny_four_slots::store counting(flash);
    for (std::size_t j = 0; j < 5; ++j) {
        const std::size_t n = make_record<300>(j, record);
        ASSERT_EQ(counting.save(mp::span<const std::uint8_t>(record, n)), mp::status::ok);
    }
    flash.disarm();
    ASSERT_EQ(counting.save(mp::span<const std::uint8_t>(record, make_record<300>(5, record))), mp::status::ok);
    const std::size_t operations = flash.operations();
    std::size_t failures = 0;
    for (std::size_t k = 0; k <= operations; ++k) {
        const cut_kind kind = k < operations ? cut_kind::driver_failure : cut_kind::silent_erase;
        flash.fill(0xFF);
        tiny_four_slots::store store(flash);
        for (std::size_t j = 0; j < 5; ++j) {
            const std::size_t n = make_record<300>(j, record);
            ASSERT_EQ(store.save(mp::span<const std::uint8_t>(record, n)), mp::status::ok);
        }
        // A silent erase leaves record 1 in the target slot: programming over
        // it cannot set the bits record 5 needs, and the read-back sees it.
        flash.arm(kind, kind == cut_kind::silent_erase ? 0 : k);
        std::size_t n = make_record<300>(5, record);
        ASSERT_EQ(store.save(mp::span<const std::uint8_t>(record, n)), mp::status::flash_error);
        ++failures;
        flash.disarm();
        std::size_t length = 0;
        ASSERT_EQ(store.load(mp::span<std::uint8_t>(loaded, 300), length), mp::status::ok);
        ASSERT_TRUE(is_record<300>(4, loaded, length));
        n = make_record<300>(6, record);
        ASSERT_EQ(store.save(mp::span<const std::uint8_t>(record, n)), mp::status::ok);
        tiny_four_slots::store rebooted(flash);
        ASSERT_EQ(rebooted.load(mp::span<std::uint8_t>(loaded, 300), length), mp::status::ok);
        ASSERT_TRUE(is_record<300>(6, loaded, length));
    }
    EXPECT_EQ(failures, operations + 1);
}

TEST(flash_store, after_a_failed_save_the_next_one_scans_again)
{
    // The marker is programmed but the driver reports a failure: the slot now
    // holds the newest valid copy, so the next save must go to the other one.
    tiny_page_flash flash;
    flash.fill(0xFF);
    using store_type = mp::flash_store<tiny_page_flash, 300, 2>;
    store_type store(flash);
    std::uint8_t record[300];
    std::uint8_t loaded[300];
    ASSERT_EQ(store.save(mp::span<const std::uint8_t>(record, make_record<300>(0, record))), mp::status::ok);
    ASSERT_EQ(store.save(mp::span<const std::uint8_t>(record, make_record<300>(1, record))), mp::status::ok);
    ASSERT_EQ(store.newest_slot(), 1u);
    tiny_page_flash dry_run = flash;  // counts the operations of the next save
    store_type counting(dry_run);
    dry_run.disarm();
    ASSERT_EQ(counting.save(mp::span<const std::uint8_t>(record, make_record<300>(2, record))), mp::status::ok);
    const std::size_t marker_operation = dry_run.operations() - 1;
    flash.arm(cut_kind::false_failure, marker_operation);
    EXPECT_EQ(store.save(mp::span<const std::uint8_t>(record, make_record<300>(2, record))), mp::status::flash_error);
    flash.disarm();
    const std::size_t slot0_erases = flash.erase_count(0);
    ASSERT_EQ(store.save(mp::span<const std::uint8_t>(record, make_record<300>(3, record))), mp::status::ok);
    EXPECT_EQ(flash.erase_count(0), slot0_erases);  // slot 0 holds record 2, the newest on flash
    EXPECT_EQ(store.newest_slot(), 1u);
    EXPECT_EQ(store.generation(), 4u);
    store_type rebooted(flash);
    std::size_t length = 0;
    ASSERT_EQ(rebooted.load(mp::span<std::uint8_t>(loaded, 300), length), mp::status::ok);
    EXPECT_TRUE(is_record<300>(3, loaded, length));
}

TEST(flash_store, a_corrupted_newest_copy_falls_back_to_the_one_before)
{
    // One flipped bit anywhere in the newest slot's header or record (bit rot,
    // a stray write): the CRC rejects it and the previous record loads.
    tiny_page_flash flash;
    std::uint8_t record[300];
    using store_type = tiny_four_slots::store;
    std::size_t checked = 0;
    for (std::size_t byte = 0; byte < 16 + 255; byte += 7) {
        flash.fill(0xFF);
        store_type store(flash);
        for (std::size_t j = 0; j < 6; ++j) {
            ASSERT_EQ(store.save(mp::span<const std::uint8_t>(record, make_record<300>(j, record))), mp::status::ok);
        }
        ASSERT_EQ(record_length<300>(5), 255u);
        flash.raw()[store_type::slot_offset(store.newest_slot()) + byte] ^= static_cast<std::uint8_t>(1u << (byte % 8));
        store_type rebooted(flash);
        std::size_t length = 0;
        ASSERT_EQ(rebooted.load(mp::span<std::uint8_t>(record, 300), length), mp::status::ok);
        ASSERT_TRUE(is_record<300>(4, record, length));
        EXPECT_EQ(rebooted.generation(), 5u);
        ASSERT_EQ(rebooted.save(mp::span<const std::uint8_t>(record, make_record<300>(9, record))), mp::status::ok);
        store_type again(flash);
        ASSERT_EQ(again.load(mp::span<std::uint8_t>(record, 300), length), mp::status::ok);
        ASSERT_TRUE(is_record<300>(9, record, length));
        EXPECT_EQ(again.generation(), 6u);
        ++checked;
    }
    EXPECT_EQ(checked, 39u);
}

TEST(flash_store, wear_is_spread_round_robin)
{
    tiny_page_flash flash;
    flash.fill(0xFF);
    tiny_four_slots::store store(flash);
    std::uint8_t record[300];
    constexpr std::size_t saves = 4 * 10;
    for (std::size_t j = 0; j < saves; ++j) {
        const std::size_t n = make_record<300>(j, record);
        flash.disarm();
        ASSERT_EQ(store.save(mp::span<const std::uint8_t>(record, n)), mp::status::ok);
        std::size_t erases = 0;
        for (std::size_t page = 0; page < tiny_page_flash::page_count; ++page) erases += flash.erase_count(page);
        ASSERT_EQ(erases, (j + 1) * tiny_four_slots::store::erases_per_save);
    }
    // Every page of the 12 used is erased saves / 4 times; the 4 pages past the store never.
    for (std::size_t page = 0; page < tiny_page_flash::page_count; ++page) {
        EXPECT_EQ(flash.erase_count(page), page < 12 ? saves / 4 : 0u);
    }
}

TEST(flash_store, generation_wraps_around)
{
    // A slot written by hand, following the documented layout, with the
    // largest generation; the next saves are 0 and 1 and win.
    small_page_flash flash;
    flash.fill(0xFF);
    std::uint8_t record[700];
    const std::size_t n = make_record<700>(7, record);
    std::uint8_t* slot = flash.raw() + small_two_slots::store::slot_offset(1);
    mp::detail::put_u32(slot, 0x3153504du);
    mp::detail::put_u32(slot + 4, 0xffffffffu);
    mp::detail::put_u32(slot + 8, static_cast<std::uint32_t>(n));
    for (std::size_t p = 0; p < n; ++p) slot[16 + p] = record[p];
    mp::detail::put_u32(slot + 12, mp::detail::crc32(record, n, mp::detail::crc32(slot + 4, 8)));
    mp::detail::put_u32(slot + 16 + 700, 0x4b4f434du);

    small_two_slots::store store(flash);
    std::uint8_t loaded[700];
    std::size_t length = 0;
    ASSERT_EQ(store.load(loaded, length), mp::status::ok);
    EXPECT_EQ(store.generation(), 0xffffffffu);
    EXPECT_TRUE(is_record<700>(7, loaded, length));
    for (std::uint32_t expected : {0u, 1u, 2u}) {
        const std::size_t m = make_record<700>(expected + 10, record);
        ASSERT_EQ(store.save(mp::span<const std::uint8_t>(record, m)), mp::status::ok);
        small_two_slots::store rebooted(flash);
        ASSERT_EQ(rebooted.load(loaded, length), mp::status::ok);
        EXPECT_EQ(rebooted.generation(), expected);
        EXPECT_TRUE(is_record<700>(expected + 10, loaded, length));
    }
}

TEST(flash_store, power_cut_at_every_operation_two_slots_nrf51_pages)
{
    cut_every_operation<nrf51_two_slots>(0x00, 3);
}

TEST(flash_store, power_cut_at_every_operation_two_slots_small_pages)
{
    cut_every_operation<small_two_slots>(0xFF, 4);
}

TEST(flash_store, power_cut_at_every_operation_four_slots)
{
    cut_every_operation<tiny_four_slots>(0xFF, 6);
}

TEST(flash_store, power_cut_at_every_operation_eight_byte_write_unit)
{
    cut_every_operation<double_word_two_slots>(0x00, 3);
}

TEST(flash_store, power_cut_at_random_over_many_saves)
{
    cut_at_random_for_many_saves<small_two_slots>(0x00, 12345u);
    cut_at_random_for_many_saves<tiny_four_slots>(0xFF, 777u);
    cut_at_random_for_many_saves<double_word_two_slots>(0xFF, 4242u);
}

TEST(flash_store, power_cut_summary)
{
    console::print("power-cut simulation: ", tally.cuts, " cut points, ", tally.lost, " lost, ", tally.mixed,
                   " mixed\n");
    EXPECT_EQ(tally.lost, 0u);
    EXPECT_EQ(tally.mixed, 0u);
    EXPECT_GE(tally.cuts, 1000u);
}
