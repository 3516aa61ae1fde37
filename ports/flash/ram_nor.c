/* Software NOR flash over memory that survives a reset. Word by word, like
 * the real parts, so a reset in the middle of a save leaves a prefix of the
 * words programmed and the rest as they were. */
#include "ram_nor.h"

#define RAM_NOR_WORD_BYTES 4u

bool ram_nor_erase_page(uint32_t page_address, uint32_t page_bytes)
{
    if (page_bytes == 0u || page_address % page_bytes != 0u) return false;
    volatile uint32_t* word = (volatile uint32_t*)page_address;
    for (uint32_t i = 0; i < page_bytes / RAM_NOR_WORD_BYTES; ++i) word[i] = 0xFFFFFFFFu;
    return true;
}

bool ram_nor_program(uint32_t address, const uint8_t* data, size_t n)
{
    if (address % RAM_NOR_WORD_BYTES != 0u || n % RAM_NOR_WORD_BYTES != 0u) return false;
    for (size_t i = 0; i < n; i += RAM_NOR_WORD_BYTES) {
        const uint32_t value = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 | (uint32_t)data[i + 2] << 16 |
                               (uint32_t)data[i + 3] << 24;
        volatile uint32_t* word = (volatile uint32_t*)(address + i);
        *word &= value;
    }
    return true;
}
