// Must not compile: two slots of a 3,000-byte record need 3 pages each (6 in
// all) of 1 KB, and the flash region has 4.
// Expected: the static_assert of microprop::store_slots_must_fit_the_flash_region naming 6 and 4.
// expect: The flash store's slots do not fit its flash region
// expect: store_slots_must_fit_the_flash_region<6, 4>
#include <microprop/flash_store.hpp>

struct four_kilobyte_flash {
    static constexpr std::size_t page_bytes = 1024;
    static constexpr std::size_t page_count = 4;
    static constexpr std::size_t write_bytes = 4;
    static constexpr std::uint8_t erased_value = 0xFF;
    bool erase_page(std::size_t) { return true; }
    bool program(std::size_t, const std::uint8_t*, std::size_t) { return true; }
    void read(std::size_t, std::uint8_t*, std::size_t) const {}
};

int main()
{
    four_kilobyte_flash flash;
    microprop::flash_store<four_kilobyte_flash, 3000, 2> store(flash);
    return store.has_record() ? 1 : 0;
}
