// The two store layouts that fuzz_store_recovery.cpp reads flash images with,
// shared with the seed corpus generator make_store_recovery_corpus.cpp.
#ifndef MICROPROP_TESTS_STORE_RECOVERY_LAYOUTS_HPP
#define MICROPROP_TESTS_STORE_RECOVERY_LAYOUTS_HPP

#include <microprop/flash_store.hpp>

#include "../unit/nor_flash_simulator.hpp"

namespace store_recovery {

template <class Flash, std::size_t MaxRecord, std::size_t Slots>
struct layout {
    using flash = Flash;
    using store = microprop::flash_store<Flash, MaxRecord, Slots>;
    static constexpr std::size_t max_record = MaxRecord;
};

/// Selector byte 0 (even): 2 slots of 2 x 128-byte pages, records up to 200 bytes.
using two_slots = layout<microprop_test::nor_flash_simulator<128, 4, 4>, 200, 2>;
/// Selector byte 1 (odd): 4 slots of 2 x 64-byte pages, records up to 100 bytes.
using four_slots = layout<microprop_test::nor_flash_simulator<64, 8, 4>, 100, 4>;

static_assert(two_slots::store::region_pages == 4 && four_slots::store::region_pages == 8,
              "both layouts fill their 512-byte region");

}  // namespace store_recovery

#endif
