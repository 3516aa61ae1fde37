/* NOR flash semantics in software over ordinary memory, for boards whose
 * non-volatile region is RAM that survives a reset (the MPS2 FPGA images'
 * SSRAM under QEMU): erase sets a page to 0xFF, programming a 32-bit word
 * stores (old & new), exactly what a NOR part does, so code that runs on
 * this runs on a real flash part. See ports/flash/README.md. */
#ifndef MICROPROP_FLASH_RAM_NOR_H
#define MICROPROP_FLASH_RAM_NOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Sets the page [page_address, page_address + page_bytes) to 0xFF. Returns
 * false when the address is not a multiple of page_bytes. */
bool ram_nor_erase_page(uint32_t page_address, uint32_t page_bytes);

/* ANDs n bytes of `data` into memory at `address` word by word (n and
 * address multiples of 4). Returns false on misalignment. */
bool ram_nor_program(uint32_t address, const uint8_t* data, size_t n);

#ifdef __cplusplus
}
#endif

#endif
