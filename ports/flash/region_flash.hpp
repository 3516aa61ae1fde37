// The flash region a port's memory.ld reserves for persistent data, as a
// microprop Flash driver (the concept include/microprop/flash_store.hpp
// relies on: page_bytes, page_count, write_bytes, erased_value, erase_page,
// program, read). One template over the part's C driver; the port's CMake
// selects the part (MICROPROP_FLASH_PART_*), see ports/flash/README.md.
#ifndef MICROPROP_PORTS_FLASH_REGION_FLASH_HPP
#define MICROPROP_PORTS_FLASH_REGION_FLASH_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(MICROPROP_FLASH_PART_NRF51) || defined(MICROPROP_FLASH_PART_NRF52840)
#include "nrf5_nvmc.h"
#elif defined(MICROPROP_FLASH_PART_STM32F4)
#include "stm32f4_flash.h"
#elif defined(MICROPROP_FLASH_PART_RAM_NOR)
#include "ram_nor.h"
#else
#error "this port has no flash driver (its port.cmake names no FLASH part)"
#endif

// Not const: the drivers change these bytes behind the compiler's back, so it
// must not assume two reads of them give the same value.
extern "C" {
/// First byte of the region reserved by the port's memory.ld (erase-unit aligned).
extern std::uint8_t microprop_flash_region_start[];
/// One past the region's last byte.
extern std::uint8_t microprop_flash_region_end[];
}

namespace microprop_flash {

/// The part behind the region: its erase unit, program unit, erased value
/// and C driver (every driver has the same two signatures).
struct part {
#if defined(MICROPROP_FLASH_PART_NRF51)
    static constexpr std::size_t page_bytes = 1024;  // NVMC page
#elif defined(MICROPROP_FLASH_PART_NRF52840)
    static constexpr std::size_t page_bytes = 4096;  // NVMC page
#elif defined(MICROPROP_FLASH_PART_STM32F4)
    static constexpr std::size_t page_bytes = 128u * 1024u;  // one of the equal 128 KB sectors
#else
    static constexpr std::size_t page_bytes = 1024;  // software NOR page
#endif
    static constexpr std::size_t write_bytes = 4;
    static constexpr std::uint8_t erased_value = 0xFF;
#if defined(MICROPROP_FLASH_PART_NRF51) || defined(MICROPROP_FLASH_PART_NRF52840)
    static constexpr bool (*erase)(std::uint32_t, std::uint32_t) = nrf5_nvmc_erase_page;
    static constexpr bool (*program)(std::uint32_t, const std::uint8_t*, std::size_t) = nrf5_nvmc_program;
#elif defined(MICROPROP_FLASH_PART_STM32F4)
    static constexpr bool (*erase)(std::uint32_t, std::uint32_t) = stm32f4_flash_erase_sector;
    static constexpr bool (*program)(std::uint32_t, const std::uint8_t*, std::size_t) = stm32f4_flash_program;
#else
    static constexpr bool (*erase)(std::uint32_t, std::uint32_t) = ram_nor_erase_page;
    static constexpr bool (*program)(std::uint32_t, const std::uint8_t*, std::size_t) = ram_nor_program;
#endif
};

/// Bytes the port's memory.ld reserves (a multiple of part::page_bytes).
inline std::size_t region_bytes()
{
    return static_cast<std::size_t>(microprop_flash_region_end - microprop_flash_region_start);
}

/// Pages [FirstPage, FirstPage + PageCount) of the reserved region as a Flash
/// driver: offsets are from the first of those pages. Several drivers over
/// disjoint page ranges may coexist (e.g. a store and a page of test state).
/// Every call checks that its pages lie inside the reserved region and
/// returns false (read: fills `out` with erased_value) when they do not.
template <std::size_t PageCount, std::size_t FirstPage = 0>
struct region_flash {
    static_assert(PageCount > 0, "A flash region needs at least one page (PageCount is 0).");

    /// Erase unit of the part, bytes.
    static constexpr std::size_t page_bytes = part::page_bytes;
    /// Pages this driver may use.
    static constexpr std::size_t page_count = PageCount;
    /// Program unit: offsets and lengths are multiples of it.
    static constexpr std::size_t write_bytes = part::write_bytes;
    /// What an erased byte reads as.
    static constexpr std::uint8_t erased_value = part::erased_value;

    /// True when the port reserved enough flash for these pages (false means
    /// every other call fails: the region in memory.ld is too small).
    static bool fits() { return (FirstPage + PageCount) * page_bytes <= region_bytes(); }

    /// Erases page `page` (< page_count) to erased_value and verifies it.
    /// Returns false when the page is out of range or the part reported or
    /// showed a failure.
    bool erase_page(std::size_t page)
    {
        if (page >= page_count || !fits()) return false;
        return part::erase(address(page * page_bytes), page_bytes);
    }

    /// Programs n bytes at `offset` (both multiples of write_bytes, inside
    /// the pages): each bit can only go from 1 to 0. Returns false on a bad
    /// range or when a word does not read back as (old & new).
    bool program(std::size_t offset, const std::uint8_t* data, std::size_t n)
    {
        if (!in_range(offset, n) || offset % write_bytes != 0 || n % write_bytes != 0) return false;
        return part::program(address(offset), data, n);
    }

    /// Copies n bytes at `offset` into `out` (memory-mapped: a plain copy).
    void read(std::size_t offset, std::uint8_t* out, std::size_t n) const
    {
        if (!in_range(offset, n)) {
            std::memset(out, erased_value, n);
            return;
        }
        std::memcpy(out, microprop_flash_region_start + FirstPage * page_bytes + offset, n);
    }

private:
    static bool in_range(std::size_t offset, std::size_t n)
    {
        return fits() && offset <= page_count * page_bytes && n <= page_count * page_bytes - offset;
    }
    static std::uint32_t address(std::size_t offset)
    {
        return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(microprop_flash_region_start) +
                                          FirstPage * page_bytes + offset);
    }
};

}  // namespace microprop_flash

#endif
