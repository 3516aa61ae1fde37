/* nRF51 / nRF52 NVMC driver (nRF51 Reference Manual v3.0 ch. 6; nRF52840
 * Product Specification v1.7 ch. 4.3). CONFIG selects read-only (0), write
 * (WEN) or erase (EEN); an operation started while READY is 0 is lost, so
 * every register write and every flash word write waits for READY. The CPU
 * stalls on instruction fetches from flash while the NVMC works, so this runs
 * from flash like everything else. */
#include "nrf5_nvmc.h"

#define NVMC_BASE 0x4001E000u
#define NVMC_REG(offset) (*(volatile uint32_t*)(NVMC_BASE + (offset)))
#define NVMC_READY NVMC_REG(0x400u)
#define NVMC_CONFIG NVMC_REG(0x504u)
#define NVMC_ERASEPAGE NVMC_REG(0x508u)
#define NVMC_CONFIG_REN 0u
#define NVMC_CONFIG_WEN 1u
#define NVMC_CONFIG_EEN 2u

#define NVMC_WORD_BYTES 4u

static void wait_ready(void)
{
    while ((NVMC_READY & 1u) == 0u) {
    }
}

static void set_mode(uint32_t mode)
{
    wait_ready();
    NVMC_CONFIG = mode;
    /* The mode must be in effect before the next flash access. */
    __asm volatile("dsb" ::: "memory");
}

bool nrf5_nvmc_erase_page(uint32_t page_address, uint32_t page_bytes)
{
    if (page_bytes == 0u || page_address % page_bytes != 0u) return false;
    set_mode(NVMC_CONFIG_EEN);
    NVMC_ERASEPAGE = page_address;
    wait_ready();
    set_mode(NVMC_CONFIG_REN);
    const volatile uint32_t* word = (const volatile uint32_t*)page_address;
    for (uint32_t i = 0; i < page_bytes / NVMC_WORD_BYTES; ++i) {
        if (word[i] != 0xFFFFFFFFu) return false;
    }
    return true;
}

bool nrf5_nvmc_program(uint32_t address, const uint8_t* data, size_t n)
{
    if (address % NVMC_WORD_BYTES != 0u || n % NVMC_WORD_BYTES != 0u) return false;
    bool ok = true;
    set_mode(NVMC_CONFIG_WEN);
    for (size_t i = 0; i < n; i += NVMC_WORD_BYTES) {
        /* Little-endian, so the bytes land in flash in order. */
        const uint32_t value = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 | (uint32_t)data[i + 2] << 16 |
                               (uint32_t)data[i + 3] << 24;
        volatile uint32_t* word = (volatile uint32_t*)(address + i);
        const uint32_t expected = *word & value;
        *word = value;
        wait_ready();
        if (*word != expected) {
            ok = false;
            break;
        }
    }
    set_mode(NVMC_CONFIG_REN);
    return ok;
}
