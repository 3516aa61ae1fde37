/* STM32F4 flash interface driver (RM0090 rev 19 ch. 3.5-3.9; RM0390 ch. 3.5-3.8
 * for the F446). The controller is unlocked with the two KEYR keys for each
 * operation and locked again afterwards, so a stray write elsewhere in the
 * program cannot start an erase. Errors are the SR flags the reference
 * manual lists for erase and program; each is cleared (write 1) before an
 * operation so an old flag is not taken for a new failure. */
#include "stm32f4_flash.h"

#define FLASH_IF_BASE 0x40023C00u
#define FLASH_REG(offset) (*(volatile uint32_t*)(FLASH_IF_BASE + (offset)))
#define FLASH_ACR FLASH_REG(0x00u)
#define FLASH_KEYR FLASH_REG(0x04u)
#define FLASH_SR FLASH_REG(0x0Cu)
#define FLASH_CR FLASH_REG(0x10u)

#define FLASH_KEY1 0x45670123u
#define FLASH_KEY2 0xCDEF89ABu

#define FLASH_SR_OPERR (1u << 1)
#define FLASH_SR_WRPERR (1u << 4)
#define FLASH_SR_PGAERR (1u << 5)
#define FLASH_SR_PGPERR (1u << 6)
#define FLASH_SR_PGSERR (1u << 7)
#define FLASH_SR_BSY (1u << 16)
#define FLASH_SR_ERRORS (FLASH_SR_OPERR | FLASH_SR_WRPERR | FLASH_SR_PGAERR | FLASH_SR_PGPERR | FLASH_SR_PGSERR)

#define FLASH_CR_PG (1u << 0)
#define FLASH_CR_SER (1u << 1)
#define FLASH_CR_SNB_SHIFT 3u
#define FLASH_CR_PSIZE_X32 (2u << 8)
#define FLASH_CR_STRT (1u << 16)
#define FLASH_CR_LOCK (1u << 31)

#define FLASH_ACR_DCEN (1u << 10)
#define FLASH_ACR_DCRST (1u << 12)

#define FLASH_ORIGIN 0x08000000u
#define FLASH_WORD_BYTES 4u

static void wait_idle(void)
{
    while (FLASH_SR & FLASH_SR_BSY) {
    }
}

static bool unlock(void)
{
    wait_idle();
    if (FLASH_CR & FLASH_CR_LOCK) {
        FLASH_KEYR = FLASH_KEY1;
        FLASH_KEYR = FLASH_KEY2;
    }
    FLASH_SR = FLASH_SR_ERRORS;
    return (FLASH_CR & FLASH_CR_LOCK) == 0u;
}

static void lock(void) { FLASH_CR = FLASH_CR_LOCK; }

/* Sector number of the sector [address, address + bytes), or -1 if there is
 * no such sector: 4 x 16 KB, 1 x 64 KB, then 128 KB sectors. */
static int sector_number(uint32_t address, uint32_t bytes)
{
    if (address < FLASH_ORIGIN) return -1;
    const uint32_t offset = address - FLASH_ORIGIN;
    const uint32_t k = 1024u;
    if (offset < 64u * k) return (bytes == 16u * k && offset % (16u * k) == 0u) ? (int)(offset / (16u * k)) : -1;
    if (offset < 128u * k) return (bytes == 64u * k && offset == 64u * k) ? 4 : -1;
    if (bytes != 128u * k || offset % (128u * k) != 0u) return -1;
    const uint32_t sector = 4u + offset / (128u * k);
    return sector <= 11u ? (int)sector : -1;
}

/* Stale data-cache lines would still show the sector's old contents. */
static void flush_data_cache(void)
{
    const uint32_t acr = FLASH_ACR;
    if (acr & FLASH_ACR_DCEN) {
        FLASH_ACR = acr & ~FLASH_ACR_DCEN;
        FLASH_ACR = (acr & ~FLASH_ACR_DCEN) | FLASH_ACR_DCRST;
        FLASH_ACR = acr;
    }
}

bool stm32f4_flash_erase_sector(uint32_t sector_address, uint32_t sector_bytes)
{
    const int sector = sector_number(sector_address, sector_bytes);
    if (sector < 0 || !unlock()) return false;
    const uint32_t erase_sector = FLASH_CR_SER | FLASH_CR_PSIZE_X32 | ((uint32_t)sector << FLASH_CR_SNB_SHIFT);
    FLASH_CR = erase_sector;
    FLASH_CR = erase_sector | FLASH_CR_STRT;
    __asm volatile("dsb" ::: "memory");
    wait_idle();
    const bool flagged = (FLASH_SR & FLASH_SR_ERRORS) != 0u;
    lock();
    flush_data_cache();
    if (flagged) return false;
    const volatile uint32_t* word = (const volatile uint32_t*)sector_address;
    for (uint32_t i = 0; i < sector_bytes / FLASH_WORD_BYTES; ++i) {
        if (word[i] != 0xFFFFFFFFu) return false;
    }
    return true;
}

bool stm32f4_flash_program(uint32_t address, const uint8_t* data, size_t n)
{
    if (address % FLASH_WORD_BYTES != 0u || n % FLASH_WORD_BYTES != 0u || !unlock()) return false;
    bool ok = true;
    FLASH_CR = FLASH_CR_PG | FLASH_CR_PSIZE_X32;
    for (size_t i = 0; i < n; i += FLASH_WORD_BYTES) {
        const uint32_t value = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 | (uint32_t)data[i + 2] << 16 |
                               (uint32_t)data[i + 3] << 24;
        volatile uint32_t* word = (volatile uint32_t*)(address + i);
        const uint32_t expected = *word & value;
        *word = value;
        __asm volatile("dsb" ::: "memory");
        wait_idle();
        if ((FLASH_SR & FLASH_SR_ERRORS) != 0u || *word != expected) {
            ok = false;
            break;
        }
    }
    lock();
    return ok;
}
