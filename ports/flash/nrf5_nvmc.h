/* Nordic nRF51 / nRF52 non-volatile memory controller (NVMC): erase a flash
 * page, program 32-bit words. The same controller and registers on both
 * families; only the page size differs (nRF51: 1024 B, nRF52840: 4096 B).
 * See ports/flash/README.md. */
#ifndef MICROPROP_FLASH_NRF5_NVMC_H
#define MICROPROP_FLASH_NRF5_NVMC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Erases the page starting at `page_address` (a multiple of the page size)
 * to 0xFF, then reads it back. Returns false when the address is not
 * page-aligned or a byte did not read back as 0xFF (the erase was ignored). */
bool nrf5_nvmc_erase_page(uint32_t page_address, uint32_t page_bytes);

/* Programs n bytes (n and address multiples of 4) from `data` (any
 * alignment) word by word: every flash bit can only go from 1 to 0, so each
 * word becomes (old & new). Returns false on misalignment or when a word
 * does not read back as (old & new) (the write was ignored). */
bool nrf5_nvmc_program(uint32_t address, const uint8_t* data, size_t n);

#ifdef __cplusplus
}
#endif

#endif
