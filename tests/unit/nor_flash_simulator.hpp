// A NOR flash simulator that can lose power in the middle of an operation.
//
// It implements the Flash concept of include/microprop/flash_store.hpp over a
// RAM array: an erase sets every byte of a page to 0xFF, programming can only
// clear bits (the cell becomes old & new), so programming without an erase
// never brings ones back. Every erase of a page and every programmed write
// unit is one "operation", numbered from 0 since the last arm call; a power
// cut can be armed at any operation:
//   - clean: operations before the cut complete, the cut one and every later
//     one leave the flash untouched and return false (the CPU is gone);
//   - torn: the cut operation happens in part. A torn program clears a random
//     subset of the bits it would clear; a torn erase leaves the page either
//     with a random subset of its bits set, with only a prefix of it erased,
//     or holding random bytes.
// Like a strict driver, program() refuses a data pointer that is not 8-byte
// aligned or a write that is not whole units inside the region.
// A failure (the driver reports false, the power stays on), a silent erase
// failure (returns true, erases nothing) and a false failure (the operation
// completes, the driver reports false) can be armed the same way.
#ifndef MICROPROP_TESTS_NOR_FLASH_SIMULATOR_HPP
#define MICROPROP_TESTS_NOR_FLASH_SIMULATOR_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace microprop_test {

/// What happens at the armed operation.
enum class cut_kind : std::uint8_t {
    none,            ///< nothing armed
    clean,           ///< power lost just before the operation
    torn,            ///< power lost during the operation: it happens in part
    driver_failure,  ///< the driver returns false, changes nothing, power stays on
    silent_erase,    ///< an erase returns true but leaves the page as it was
    false_failure,   ///< the operation completes, yet the driver returns false
};

/// Marsaglia's xorshift32: the simulator's (and the tests') reproducible randomness.
inline std::uint32_t xorshift32(std::uint32_t& state)
{
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

template <std::size_t PageBytes, std::size_t PageCount, std::size_t WriteBytes = 4>
class nor_flash_simulator {
public:
    static constexpr std::size_t page_bytes = PageBytes;
    static constexpr std::size_t page_count = PageCount;
    static constexpr std::size_t write_bytes = WriteBytes;
    static constexpr std::uint8_t erased_value = 0xFF;
    static constexpr std::size_t region_bytes = PageBytes * PageCount;

    /// Every byte set to `value`: 0xFF is an erased part, 0x00 is how QEMU's
    /// micro:bit reads flash beyond the image at power-on.
    void fill(std::uint8_t value)
    {
        memory_.fill(value);
        erase_counts_.fill(0);
        disarm();
    }

    /// Arms `kind` at the operation numbered `operation` from now (0 = the next).
    void arm(cut_kind kind, std::size_t operation, std::uint32_t seed = 1)
    {
        kind_ = kind;
        armed_at_ = operation;
        operations_ = 0;
        powered_ = true;
        random_ = seed != 0 ? seed : 1;
    }

    /// Power back on; no cut armed; the operation count restarts.
    void disarm()
    {
        kind_ = cut_kind::none;
        operations_ = 0;
        powered_ = true;
    }

    /// Operations since the last arm() or disarm().
    std::size_t operations() const { return operations_; }
    /// Erases page `page` has seen since the last fill().
    std::size_t erase_count(std::size_t page) const { return erase_counts_[page]; }
    /// The raw contents, for tests that build or inspect slots by hand.
    std::uint8_t* raw() { return memory_.data(); }
    const std::uint8_t* raw() const { return memory_.data(); }
    bool powered() const { return powered_; }

    bool erase_page(std::size_t page)
    {
        if (page >= PageCount) return false;
        std::uint8_t* p = memory_.data() + page * PageBytes;
        switch (next_operation()) {
            case cut_kind::none:
                std::memset(p, 0xFF, PageBytes);
                ++erase_counts_[page];
                return true;
            case cut_kind::torn:
                tear_erase(p);
                ++erase_counts_[page];
                return false;
            case cut_kind::silent_erase: return true;
            case cut_kind::false_failure:
                std::memset(p, 0xFF, PageBytes);
                ++erase_counts_[page];
                return false;
            default: return false;
        }
    }

    bool program(std::size_t offset, const std::uint8_t* data, std::size_t n)
    {
        // The store promises aligned, whole-unit writes inside the region; hold it to that.
        if (offset % WriteBytes != 0 || n % WriteBytes != 0 || offset + n > region_bytes) return false;
        if (reinterpret_cast<std::uintptr_t>(data) % 8u != 0) return false;
        for (std::size_t unit = 0; unit < n; unit += WriteBytes) {
            std::uint8_t* cell = memory_.data() + offset + unit;
            switch (next_operation()) {
                case cut_kind::none:
                case cut_kind::silent_erase:
                    for (std::size_t b = 0; b < WriteBytes; ++b) cell[b] &= data[unit + b];
                    break;
                case cut_kind::false_failure:
                    for (std::size_t b = 0; b < WriteBytes; ++b) cell[b] &= data[unit + b];
                    return false;
                case cut_kind::torn:
                    // Only some of the bits to clear get cleared.
                    for (std::size_t b = 0; b < WriteBytes; ++b) {
                        cell[b] &= static_cast<std::uint8_t>(data[unit + b] | next_random());
                    }
                    return false;
                default: return false;
            }
        }
        return true;
    }

    void read(std::size_t offset, std::uint8_t* out, std::size_t n) const
    {
        if (offset > region_bytes || n > region_bytes - offset) {
            std::memset(out, 0, n);  // out of the region: reads as unprogrammed bus, never valid
            return;
        }
        std::memcpy(out, memory_.data() + offset, n);
    }

private:
    // Decides the fate of the next operation and counts it.
    cut_kind next_operation()
    {
        const std::size_t index = operations_++;
        if (!powered_) return cut_kind::clean;
        if (kind_ == cut_kind::none || index != armed_at_) return cut_kind::none;
        if (kind_ == cut_kind::clean || kind_ == cut_kind::torn) powered_ = false;
        return kind_;
    }

    void tear_erase(std::uint8_t* page)
    {
        switch (next_random() % 3u) {
            case 0:  // some bits already back to one
                for (std::size_t b = 0; b < PageBytes; ++b) page[b] |= next_random();
                break;
            case 1: {  // erased up to some byte
                const std::size_t erased = next_random() % (PageBytes + 1);
                std::memset(page, 0xFF, erased);
                break;
            }
            default:  // garbage
                for (std::size_t b = 0; b < PageBytes; ++b) page[b] = next_random();
                break;
        }
    }

    std::uint8_t next_random() { return static_cast<std::uint8_t>(xorshift32(random_) >> 24); }

    std::array<std::uint8_t, PageBytes * PageCount> memory_{};
    std::array<std::size_t, PageCount> erase_counts_{};
    cut_kind kind_ = cut_kind::none;
    std::size_t armed_at_ = 0;
    std::size_t operations_ = 0;
    std::uint32_t random_ = 1;
    bool powered_ = true;
};

}  // namespace microprop_test

#endif
