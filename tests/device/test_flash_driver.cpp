// The port's flash driver (ports/flash/region_flash.hpp over the part's C
// driver) on the first page of the region its memory.ld reserves: erase sets
// every byte to erased_value, programming can only clear bits, bad ranges
// are refused. Where the emulator ignores the flash controller (QEMU's
// STM32F405 maps flash as ROM and the controller as an unimplemented device)
// the driver must say so: erase_page returns false because the page does not
// read back erased.
#include <cstdint>

#include "microtest.hpp"
#include "region_flash.hpp"

namespace {

using one_page = microprop_flash::region_flash<1>;

std::uint32_t read_word(const one_page& flash, std::size_t offset)
{
    std::uint32_t word = 0;
    flash.read(offset, reinterpret_cast<std::uint8_t*>(&word), 4);
    return word;
}

bool program_word(one_page& flash, std::size_t offset, std::uint32_t word)
{
    return flash.program(offset, reinterpret_cast<const std::uint8_t*>(&word), 4);
}

/// True when every byte of the page reads erased_value.
bool page_erased(const one_page& flash)
{
    std::uint8_t chunk[256];
    for (std::size_t offset = 0; offset < one_page::page_bytes; offset += sizeof chunk) {
        flash.read(offset, chunk, sizeof chunk);
        for (std::uint8_t byte : chunk) {
            if (byte != one_page::erased_value) return false;
        }
    }
    return true;
}

}  // namespace

TEST(flash_driver, region_holds_a_page)
{
    EXPECT_TRUE(one_page::fits());
    EXPECT_EQ(microprop_flash::region_bytes() % one_page::page_bytes, 0u);
}

TEST(flash_driver, erase_reports_what_the_page_shows)
{
    one_page flash;
    ASSERT_TRUE(program_word(flash, 0, 0x00000000u));  // something to erase (a no-op if unerasable)
    const bool erased = flash.erase_page(0);
    EXPECT_EQ(erased, page_erased(flash));
    if (!erased) console::print("  note: this flash ignores erases (an emulator without a flash controller)\n");
}

TEST(flash_driver, programming_only_clears_bits)
{
    one_page flash;
    if (!flash.erase_page(0)) return;  // shown by erase_reports_what_the_page_shows
    const std::size_t last = one_page::page_bytes - 4;
    EXPECT_TRUE(program_word(flash, 8, 0x0F0F0F0Fu));
    EXPECT_EQ(read_word(flash, 8), 0x0F0F0F0Fu);
    EXPECT_TRUE(program_word(flash, 8, 0xFFFF0000u));  // clears more bits: old & new
    EXPECT_EQ(read_word(flash, 8), 0x0F0F0000u);
    EXPECT_TRUE(program_word(flash, 8, 0xFFFFFFFFu));  // cannot set bits again
    EXPECT_EQ(read_word(flash, 8), 0x0F0F0000u);
    EXPECT_EQ(read_word(flash, 4), 0xFFFFFFFFu);   // neighbours untouched
    EXPECT_EQ(read_word(flash, 12), 0xFFFFFFFFu);
    EXPECT_TRUE(program_word(flash, last, 0x12345678u));
    EXPECT_EQ(read_word(flash, last), 0x12345678u);
    EXPECT_TRUE(flash.erase_page(0));
    EXPECT_TRUE(page_erased(flash));
}

TEST(flash_driver, refuses_bad_ranges)
{
    one_page flash;
    const std::uint8_t bytes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_FALSE(flash.program(2, bytes, 4));                         // offset not a write unit
    EXPECT_FALSE(flash.program(0, bytes, 3));                         // length not a write unit
    EXPECT_FALSE(flash.program(one_page::page_bytes - 4, bytes, 8));  // runs past the pages
    EXPECT_FALSE(flash.program(one_page::page_bytes, bytes, 4));
    EXPECT_FALSE(flash.erase_page(1));                                // beyond page_count
    std::uint8_t out[4] = {1, 2, 3, 4};
    flash.read(one_page::page_bytes, out, 4);  // out of range: reads as erased
    EXPECT_EQ(out[0], one_page::erased_value);
    EXPECT_EQ(out[3], one_page::erased_value);
}
