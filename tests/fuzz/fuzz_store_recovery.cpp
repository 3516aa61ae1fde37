// libFuzzer target: the flash store's recovery scan over any flash image.
//
// The first input byte picks a layout (bit 0: two slots of two 128-byte pages
// for records up to 200 bytes, or four slots of two 64-byte pages for up to
// 100 bytes); the rest is the raw 512-byte flash region (short inputs are
// padded with 0xFF). The target checks, against its own reading of the slot
// layout documented in include/microprop/flash_store.hpp:
//   - load() returns ok exactly when some slot is valid, and then the record
//     of a valid slot that no other valid slot is newer than, byte for byte;
//   - a load into a too-small buffer writes nothing;
//   - a save after recovery leaves the slot it recovered from untouched, and
//     a fresh store then loads the new record.
// Build and run (seed corpus written by tests/fuzz/make_store_recovery_corpus.cpp):
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
//       tests/fuzz/fuzz_store_recovery.cpp -o fuzz_store_recovery
//   ./fuzz_store_recovery -max_total_time=30 tests/fuzz/corpus/fuzz_store_recovery
#include <microprop/flash_store.hpp>

#include <cstdio>
#include <cstdlib>

#include "store_recovery_layouts.hpp"

namespace {

namespace mp = microprop;
using namespace store_recovery;

void require(bool condition, const char* what)
{
    if (condition) return;
    std::fprintf(stderr, "fuzz_store_recovery: %s\n", what);
    std::abort();
}

// A slot as this file reads the documented layout, independently of the store.
struct reference_slot {
    bool valid = false;
    std::uint32_t generation = 0;
    std::uint32_t length = 0;
};

template <class Layout>
reference_slot read_slot(const std::uint8_t* image, std::size_t slot)
{
    constexpr std::size_t unit = Layout::flash::write_bytes;
    constexpr std::size_t marker_at = 16 + (Layout::max_record + unit - 1) / unit * unit;
    constexpr std::size_t slot_bytes = marker_at + (4 + unit - 1) / unit * unit;
    constexpr std::size_t pages = (slot_bytes + Layout::flash::page_bytes - 1) / Layout::flash::page_bytes;
    const std::uint8_t* p = image + slot * pages * Layout::flash::page_bytes;
    reference_slot found;
    if (!(p[0] == 'M' && p[1] == 'P' && p[2] == 'S' && p[3] == '1')) return found;
    for (std::size_t b = 0; b < slot_bytes - marker_at; ++b) {
        if (p[marker_at + b] != "MCOK"[b % 4]) return found;
    }
    found.generation = mp::detail::get_u32(p + 4);
    found.length = mp::detail::get_u32(p + 8);
    if (found.length > Layout::max_record) return found;
    const std::uint32_t crc = mp::detail::crc32(p + 16, found.length, mp::detail::crc32(p + 4, 8));
    found.valid = crc == mp::detail::get_u32(p + 12);
    return found;
}

template <class Layout>
void check_layout(const std::uint8_t* data, std::size_t size)
{
    using store_type = typename Layout::store;
    typename Layout::flash flash;
    flash.fill(0xFF);
    std::uint8_t* image = flash.raw();
    for (std::size_t b = 0; b < size && b < Layout::flash::region_bytes; ++b) image[b] = data[b];

    reference_slot slots[store_type::slot_count];
    bool any_valid = false;
    for (std::size_t s = 0; s < store_type::slot_count; ++s) {
        slots[s] = read_slot<Layout>(image, s);
        any_valid = any_valid || slots[s].valid;
    }

    // A load into an empty buffer succeeds only for an empty record and writes nothing.
    std::uint8_t tiny[1] = {0x5A};
    std::size_t length = 12345;
    store_type probe(flash);
    const mp::status tiny_status = probe.load(mp::span<std::uint8_t>(tiny, 0), length);
    require(tiny[0] == 0x5A, "a load into 0 bytes wrote the caller's buffer");
    if (tiny_status == mp::status::ok) {
        require(length == 0 && probe.record_length() == 0, "a load into 0 bytes returned ok for a record");
    } else {
        require(length == 12345, "a failed load set the length");
    }

    store_type store(flash);
    std::uint8_t loaded[Layout::max_record];
    const mp::status s = store.load(mp::span<std::uint8_t>(loaded, Layout::max_record), length);
    const std::size_t chosen = store.newest_slot();
    if (!any_valid) {
        require(s == mp::status::store_empty, "no valid slot, yet the load did not report store_empty");
    } else {
        require(s == mp::status::ok, "a valid slot exists, yet the load failed");
        require(chosen < store_type::slot_count && slots[chosen].valid, "the load chose an invalid slot");
        require(slots[chosen].length == length && slots[chosen].generation == store.generation(),
                "the load's length or generation differs from the slot's header");
        for (std::size_t other = 0; other < store_type::slot_count; ++other) {
            require(!slots[other].valid ||
                        !mp::detail::generation_is_newer(slots[other].generation, slots[chosen].generation),
                    "another valid slot is newer than the one loaded");
        }
        const std::uint8_t* record = image + store_type::slot_offset(chosen) + store_type::header_bytes;
        for (std::size_t b = 0; b < length; ++b) require(loaded[b] == record[b], "the loaded bytes differ from flash");
    }

    // Save after recovery: the slot recovered from stays byte-identical.
    std::uint8_t before[Layout::flash::region_bytes];
    for (std::size_t b = 0; b < Layout::flash::region_bytes; ++b) before[b] = image[b];
    std::uint8_t next[Layout::max_record];
    const std::size_t next_length = size % (Layout::max_record + 1);
    for (std::size_t b = 0; b < next_length; ++b) next[b] = static_cast<std::uint8_t>(b * 7u + size);
    require(store.save(mp::span<const std::uint8_t>(next, next_length)) == mp::status::ok, "a save after recovery failed");
    // Only the save's target slot may change, and it is not the one recovered
    // from: every other slot reads as before.
    require(!any_valid || store.newest_slot() != chosen, "the save went into the slot holding the newest copy");
    for (std::size_t slot = 0; slot < store_type::slot_count; ++slot) {
        if (slot == store.newest_slot()) continue;
        const std::size_t from = store_type::slot_offset(slot);
        for (std::size_t b = from; b < from + store_type::pages_per_slot * Layout::flash::page_bytes; ++b) {
            require(image[b] == before[b], "a save changed a slot other than its target");
        }
    }
    store_type rebooted(flash);
    require(rebooted.load(mp::span<std::uint8_t>(loaded, Layout::max_record), length) == mp::status::ok,
            "the record just saved does not load");
    require(length == next_length, "the record just saved loads with another length");
    for (std::size_t b = 0; b < length; ++b) require(loaded[b] == next[b], "the record just saved loads different bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) return 0;
    if ((data[0] & 1u) == 0) {
        check_layout<two_slots>(data + 1, size - 1);
    } else {
        check_layout<four_slots>(data + 1, size - 1);
    }
    return 0;
}
