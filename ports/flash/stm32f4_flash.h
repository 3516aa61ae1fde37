/* STM32F4 flash interface (STM32F405/407/415/417 and F446, single-bank
 * parts): erase one sector, program 32-bit words. See ports/flash/README.md. */
#ifndef MICROPROP_FLASH_STM32F4_FLASH_H
#define MICROPROP_FLASH_STM32F4_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Erases the sector starting at `sector_address` (sectors 0-3: 16 KB, 4:
 * 64 KB, 5-11: 128 KB from 0x08000000) to 0xFF, then reads all
 * `sector_bytes` back. Returns false when the address does not start a
 * sector of that size, the controller stays locked, an error flag
 * (OPERR, WRPERR, PGAERR, PGPERR, PGSERR) is set, or a byte is not 0xFF. */
bool stm32f4_flash_erase_sector(uint32_t sector_address, uint32_t sector_bytes);

/* Programs n bytes (n and address multiples of 4) from `data` (any
 * alignment) with 32-bit parallelism (PSIZE x32; needs 2.7-3.6 V). Returns
 * false on misalignment, a locked controller, an error flag, or a word that
 * does not read back as (old & new). */
bool stm32f4_flash_program(uint32_t address, const uint8_t* data, size_t n);

#ifdef __cplusplus
}
#endif

#endif
