// A power-loss-safe store for one byte record (a weight blob) in NOR flash.
//
// The flash interface (the "Flash concept"): the store talks to the part
// through a small class that the drivers in ports/flash/ implement (and the
// NOR simulator in tests/unit/ for the host):
//
//   struct some_flash {
//       static constexpr std::size_t page_bytes = 1024;    // erase unit of the region
//       static constexpr std::size_t page_count = 4;       // pages in the region the store may use
//       static constexpr std::size_t write_bytes = 4;      // program unit: offsets and lengths are multiples of it
//       static constexpr std::uint8_t erased_value = 0xFF; // what an erased byte reads as
//       bool erase_page(std::size_t page);                 // every byte of page becomes erased_value; false on failure
//       bool program(std::size_t offset, const std::uint8_t* data, std::size_t n); // NOR: only clears bits (old & new); false on failure
//       void read(std::size_t offset, std::uint8_t* out, std::size_t n) const;      // offset from the region start
//   };
//
// Offsets are bytes from the start of the region; pages are numbered from 0
// within it. The store calls program() only on bytes erased since their last
// program (each write unit once per erase), only with offsets and lengths that
// are multiples of write_bytes, and always from its own stack buffer: `data`
// is 8-byte aligned and n is at most scratch_bytes (32 unless the write unit
// is larger), so a driver may store whole words. read() gets the caller's
// buffer (any alignment) or the store's, and any length.
//
// Slot layout. The region holds `Slots` slots of pages_per_slot whole pages;
// slot k starts at page k * pages_per_slot. Inside a slot (little-endian):
//   [0, 4)      magic "MPS1"
//   [4, 8)      generation: 1 for the first save, then one more than the
//               newest valid copy's
//   [8, 12)     record length in bytes (at most MaxRecordBytes)
//   [12, 16)    CRC-32 (IEEE) of bytes [4, 12) followed by the record;
//               0xFF up to header_bytes when the write unit exceeds 16 bytes
//   [header_bytes, header_bytes + length)   the record; the last write unit
//               is padded with 0xFF
//   [marker_offset, marker_offset + marker_bytes)   commit marker "MCOK"
//               repeated, programmed LAST
// A slot is valid when its magic, length bound, commit marker and CRC all
// check. A torn write (power lost mid-save) never leaves a complete marker
// over an incomplete record, because the marker is programmed only after the
// record has been programmed and read back; a torn marker write reads as
// something other than the marker unless all its bits got cleared, and then
// the record before it is complete anyway. Pages that read all 0x00 (never erased, as
// QEMU's micro:bit shows flash beyond the image) or all 0xFF fail the magic.
//
// Saves. A save goes to the slot after the newest valid one (round-robin over
// the slots, so wear is spread evenly), erases it, programs header and
// record, reads them back, and only then programs the marker. It never erases
// or programs the slot holding the newest valid copy, so power lost at any
// point of a save leaves either the old record or the new one loadable.
// Generations compare by serial-number arithmetic (RFC 1982): a is newer than
// b when 0 < a - b < 2^31 modulo 2^32, so the counter may wrap around; the
// valid copies this store writes never lie more than Slots generations apart.
#ifndef MICROPROP_FLASH_STORE_HPP
#define MICROPROP_FLASH_STORE_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "serialize.hpp"
#include "span.hpp"
#include "status.hpp"

namespace microprop {

namespace detail {

constexpr std::size_t round_up(std::size_t n, std::size_t unit) { return (n + unit - 1) / unit * unit; }
constexpr std::size_t max_of(std::size_t a, std::size_t b) { return a > b ? a : b; }

constexpr std::uint32_t store_magic = 0x3153504du;          // "MPS1" read as little-endian
constexpr std::uint32_t store_commit_marker = 0x4b4f434du;  // "MCOK" read as little-endian
constexpr std::size_t store_header_fields_bytes = 16;

/// True when generation `a` was saved after generation `b` (RFC 1982 serial
/// number comparison over 32 bits, so the counter may wrap around).
constexpr bool generation_is_newer(std::uint32_t a, std::uint32_t b)
{
    const std::uint32_t distance = a - b;
    return distance != 0u && distance < 0x80000000u;
}

}  // namespace detail

/// Fails to compile, naming both page counts, when the store's slots need more
/// pages than its flash region has.
template <std::size_t pages_needed_by_the_slots, std::size_t pages_in_the_flash_region>
struct store_slots_must_fit_the_flash_region {
    static_assert(pages_needed_by_the_slots <= pages_in_the_flash_region,
                  "The flash store's slots do not fit its flash region: Slots times the pages of "
                  "one slot (header, MaxRecordBytes and commit marker, rounded up to whole pages) "
                  "must not exceed Flash::page_count (the two numbers are the template arguments of "
                  "microprop::store_slots_must_fit_the_flash_region<pages_needed_by_the_slots, "
                  "pages_in_the_flash_region> in the note above).");
    /// True whenever this compiles.
    static constexpr bool value = true;
};

/// A power-loss-safe A/B (or round-robin over `Slots`) store for one record of
/// at most `MaxRecordBytes` bytes in the flash region that `Flash` drives (see
/// the Flash concept at the top of this header).
///
/// RAM: the object holds a reference to the flash and the newest slot's
/// generation, length and CRC (sizeof(flash_store) bytes, 24 on a 32-bit core);
/// save(), load() and scan() use scratch_bytes of stack on top. The record is
/// never copied into RAM by the store: save() programs from the caller's
/// buffer, load() reads straight into it.
///
/// Flash: pages_per_slot * Slots pages (region_pages). Every save erases
/// erases_per_save pages, each page of the region once every Slots saves, and
/// programs each write unit once per erase. A part rated for E erase cycles
/// per page therefore takes lifetime_saves(E) = E * Slots saves.
///
/// One store object per region: it caches where the newest copy is.
template <class Flash, std::size_t MaxRecordBytes, std::size_t Slots = 2>
class flash_store {
    static_assert(Slots >= 2, "A flash store needs at least 2 slots, so that a save never touches the newest copy.");
    static_assert(Flash::write_bytes > 0 && Flash::page_bytes % Flash::write_bytes == 0,
                  "Flash::page_bytes must be a multiple of Flash::write_bytes.");
    static_assert(Flash::erased_value == 0xFF,
                  "The flash store needs NOR flash whose erased bytes read 0xFF (programming clears bits).");

public:
    /// Largest record save() accepts, in bytes.
    static constexpr std::size_t max_record_bytes = MaxRecordBytes;
    /// Number of slots the store rotates through.
    static constexpr std::size_t slot_count = Slots;
    /// Bytes of the slot header (magic, generation, length, CRC), padded to the write unit.
    static constexpr std::size_t header_bytes =
        detail::round_up(detail::store_header_fields_bytes, Flash::write_bytes);
    /// Offset of the commit marker inside a slot (after the largest record).
    static constexpr std::size_t marker_offset =
        header_bytes + detail::round_up(MaxRecordBytes, Flash::write_bytes);
    /// Bytes of the commit marker: one write unit of at least 4 bytes.
    static constexpr std::size_t marker_bytes = detail::round_up(4, Flash::write_bytes);
    /// Bytes of a slot that hold data; the rest of its last page stays erased.
    static constexpr std::size_t slot_bytes = marker_offset + marker_bytes;
    /// Whole pages one slot occupies.
    static constexpr std::size_t pages_per_slot = (slot_bytes + Flash::page_bytes - 1) / Flash::page_bytes;
    /// Pages of the region the store uses (from page 0).
    static constexpr std::size_t region_pages = pages_per_slot * Slots;
    /// Page erases one save performs (always the same: the target slot's pages).
    static constexpr std::size_t erases_per_save = pages_per_slot;
    /// Saves between two erases of the same page (round-robin over the slots).
    static constexpr std::size_t saves_per_page_erase = Slots;
    /// Bytes of the stack buffer through which the store reads flash in
    /// pieces (streamed CRC, read-back) and assembles header, tail unit and
    /// marker; a call holds at most two such buffers and a header at once.
    static constexpr std::size_t scratch_bytes =
        detail::round_up(detail::max_of(32, detail::max_of(header_bytes, marker_bytes)), Flash::write_bytes);

    static_assert(store_slots_must_fit_the_flash_region<region_pages, Flash::page_count>::value, "");

    /// Saves the store can take before its pages reach `rated_erase_cycles`
    /// (e.g. 20,000 for the nRF51): each page is erased once every Slots saves.
    static constexpr std::uint64_t lifetime_saves(std::uint32_t rated_erase_cycles)
    {
        return static_cast<std::uint64_t>(rated_erase_cycles) * Slots;
    }

    /// Binds the store to `flash`; reads nothing until the first call.
    explicit flash_store(Flash& flash) : flash_(flash) {}

    /// The recovery scan: checks every slot (magic, length, commit marker and
    /// the CRC, streamed through scratch_bytes) and remembers the newest valid
    /// one. Returns ok when one exists, store_empty when none does. Reads only.
    [[nodiscard]] status scan()
    {
        scanned_ = true;
        newest_slot_ = Slots;
        for (std::size_t slot = 0; slot < Slots; ++slot) {
            slot_summary found{};
            if (!check_slot(slot, found)) continue;
            if (newest_slot_ == Slots || detail::generation_is_newer(found.generation, newest_generation_)) {
                newest_slot_ = slot;
                newest_generation_ = found.generation;
                newest_length_ = found.length;
                newest_crc_ = found.crc;
            }
        }
        return newest_slot_ == Slots ? status::store_empty : status::ok;
    }

    /// Copies the newest valid record into `out` and sets `length` to its byte
    /// count. Runs the recovery scan first, which checks the slot's CRC in a
    /// streamed pass, and only then writes `out`, so a failed load leaves
    /// `out` untouched: store_empty when no slot is valid (e.g. a new or
    /// all-zero region), blob_too_small when `out` is shorter than the record.
    /// The copy is checked against the CRC once more; flash_error means the
    /// flash read back differently the second time and `out` holds unchecked bytes.
    [[nodiscard]] status load(span<std::uint8_t> out, std::size_t& length)
    {
        const status found = scan();
        if (found != status::ok) return found;
        if (out.size() < newest_length_) return status::blob_too_small;
        if (newest_length_ > 0) flash_.read(slot_offset(newest_slot_) + header_bytes, out.data(), newest_length_);
        if (record_crc(newest_generation_, out.data(), newest_length_) != newest_crc_) return status::flash_error;
        length = newest_length_;
        return status::ok;
    }

    /// Saves `record` (at most MaxRecordBytes bytes) as the new newest copy
    /// with the next generation. Erases erases_per_save pages of the slot
    /// after the newest one and programs slot_bytes at most; never touches the
    /// slot holding the newest valid copy, so on any failure (or power loss)
    /// that copy still loads. Statuses: blob_length_mismatch when the record
    /// is longer than MaxRecordBytes (flash untouched); flash_error when the
    /// driver reports a failed erase or program, or the programmed bytes read
    /// back wrong (the new copy is not committed).
    [[nodiscard]] status save(span<const std::uint8_t> record)
    {
        if (record.size() > MaxRecordBytes) return status::blob_length_mismatch;
        if (!scanned_) static_cast<void>(scan());  // store_empty is fine: the first save goes to slot 0
        const bool empty = newest_slot_ == Slots;
        const std::size_t target = empty ? 0 : (newest_slot_ + 1) % Slots;
        const std::uint32_t generation = empty ? 1u : newest_generation_ + 1u;
        const std::uint32_t crc = record_crc(generation, record.data(), record.size());
        if (!write_slot(target, generation, record, crc)) {
            // The target may now hold anything, even a copy that reads as
            // committed: the next save scans again rather than trust the cache.
            scanned_ = false;
            return status::flash_error;
        }
        newest_slot_ = target;
        newest_generation_ = generation;
        newest_length_ = record.size();
        newest_crc_ = crc;
        return status::ok;
    }

    /// True when the last scan(), load() or save() found or wrote a valid copy.
    bool has_record() const { return newest_slot_ != Slots; }
    /// Generation of the newest valid copy (valid when has_record()).
    std::uint32_t generation() const { return newest_generation_; }
    /// Byte count of the newest valid copy (valid when has_record()).
    std::size_t record_length() const { return newest_length_; }
    /// Slot index of the newest valid copy, or slot_count when there is none.
    std::size_t newest_slot() const { return newest_slot_; }

    /// Offset of slot `slot` from the start of the region.
    static constexpr std::size_t slot_offset(std::size_t slot) { return slot * pages_per_slot * Flash::page_bytes; }

private:
    struct slot_summary {
        std::uint32_t generation;
        std::size_t length;
        std::uint32_t crc;
    };

    // Erases slot `target` and programs header, record and (after reading
    // them back) the commit marker. False on the first failure.
    bool write_slot(std::size_t target, std::uint32_t generation, span<const std::uint8_t> record, std::uint32_t crc)
    {
        const std::size_t base = slot_offset(target);
        const std::size_t length = record.size();
        for (std::size_t page = 0; page < pages_per_slot; ++page) {
            if (!flash_.erase_page(target * pages_per_slot + page)) return false;
        }
        alignas(8) std::uint8_t scratch[scratch_bytes];
        fill_header(scratch, generation, static_cast<std::uint32_t>(length), crc);
        if (!flash_.program(base, scratch, header_bytes)) return false;
        // Through the aligned scratch buffer, so that drivers may store whole
        // words; the last unit is padded with 0xFF, which programs nothing.
        for (std::size_t done = 0; done < length; done += scratch_bytes) {
            const std::size_t piece = length - done < scratch_bytes ? length - done : scratch_bytes;
            const std::size_t units = detail::round_up(piece, Flash::write_bytes);
            std::memset(scratch, 0xFF, units);
            std::memcpy(scratch, record.data() + done, piece);
            if (!flash_.program(base + header_bytes + done, scratch, units)) return false;
        }
        if (!programmed_correctly(base, generation, record, crc)) return false;
        fill_marker(scratch);
        return flash_.program(base + marker_offset, scratch, marker_bytes) && marker_present(base);
    }

    static std::uint32_t record_crc(std::uint32_t generation, const std::uint8_t* record, std::size_t length)
    {
        std::uint8_t fields[8];
        detail::put_u32(fields, generation);
        detail::put_u32(fields + 4, static_cast<std::uint32_t>(length));
        const std::uint32_t crc = detail::crc32(fields, sizeof fields);
        return length > 0 ? detail::crc32(record, length, crc) : crc;
    }

    static void fill_header(std::uint8_t* out, std::uint32_t generation, std::uint32_t length, std::uint32_t crc)
    {
        std::memset(out, 0xFF, header_bytes);
        detail::put_u32(out, detail::store_magic);
        detail::put_u32(out + 4, generation);
        detail::put_u32(out + 8, length);
        detail::put_u32(out + 12, crc);
    }

    static void fill_marker(std::uint8_t* out)
    {
        for (std::size_t k = 0; k < marker_bytes; k += 4) detail::put_u32(out + k, detail::store_commit_marker);
    }

    bool marker_present(std::size_t base) const
    {
        std::uint8_t scratch[marker_bytes];
        flash_.read(base + marker_offset, scratch, marker_bytes);
        for (std::size_t k = 0; k < marker_bytes; k += 4) {
            if (detail::get_u32(scratch + k) != detail::store_commit_marker) return false;
        }
        return true;
    }

    // Reads a slot and decides whether it holds a committed copy.
    bool check_slot(std::size_t slot, slot_summary& found) const
    {
        const std::size_t base = slot_offset(slot);
        std::uint8_t header[detail::store_header_fields_bytes];
        flash_.read(base, header, sizeof header);
        if (detail::get_u32(header) != detail::store_magic) return false;
        const std::uint32_t length = detail::get_u32(header + 8);
        if (length > MaxRecordBytes) return false;
        if (!marker_present(base)) return false;
        found.generation = detail::get_u32(header + 4);
        found.length = length;
        found.crc = detail::get_u32(header + 12);
        std::uint32_t crc = detail::crc32(header + 4, 8);
        read_in_pieces(base + header_bytes, length, [&crc](const std::uint8_t* piece, std::size_t, std::size_t n) {
            crc = detail::crc32(piece, n, crc);
            return true;
        });
        return crc == found.crc;
    }

    // Reads n bytes from `offset` through a scratch_bytes stack buffer, handing
    // each piece to visit(piece, offset_in_range, piece_bytes); stops early
    // when visit returns false, and returns false then.
    template <class Visit>
    bool read_in_pieces(std::size_t offset, std::size_t n, Visit visit) const
    {
        std::uint8_t scratch[scratch_bytes];
        for (std::size_t done = 0; done < n;) {
            const std::size_t piece = n - done < scratch_bytes ? n - done : scratch_bytes;
            flash_.read(offset + done, scratch, piece);
            if (!visit(scratch, done, piece)) return false;
            done += piece;
        }
        return true;
    }

    // Reads back what save() programmed before it commits the copy.
    bool programmed_correctly(std::size_t base, std::uint32_t generation, span<const std::uint8_t> record,
                              std::uint32_t crc) const
    {
        std::uint8_t expected[header_bytes];
        fill_header(expected, generation, static_cast<std::uint32_t>(record.size()), crc);
        const bool header_matches =
            read_in_pieces(base, header_bytes, [&expected](const std::uint8_t* piece, std::size_t done, std::size_t n) {
                return std::memcmp(piece, expected + done, n) == 0;
            });
        return header_matches && read_in_pieces(base + header_bytes, record.size(),
                              [&record](const std::uint8_t* piece, std::size_t done, std::size_t n) {
                                  return std::memcmp(piece, record.data() + done, n) == 0;
                              });
    }

    Flash& flash_;
    std::size_t newest_slot_ = Slots;
    std::size_t newest_length_ = 0;
    std::uint32_t newest_generation_ = 0;
    std::uint32_t newest_crc_ = 0;
    bool scanned_ = false;
};

}  // namespace microprop

#endif
