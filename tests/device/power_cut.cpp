// Power cut on the emulated device: trains a small network, saves it through
// the board's real flash driver (the nRF51 NVMC on the micro:bit; the
// software NOR over SSRAM on the MPS2 AN386) and the flash store, and lets a
// hardware timer reset the chip (AIRCR SYSRESETREQ) at a chosen point inside
// the save. After each reset the image boots again, must find either the
// model it had before the save or the one it was saving, intact, continues
// training from it and picks the next cut point.
//
// The cut delays step in equal steps through the part of a save that works
// on the flash (measured at the first boot: from the first erase or program
// call to the end), so every part of it is hit: erases, the programming of
// the slot's words, the read-back; then tick by tick across the commit (the
// start of the last program call). A cut before the first flash operation
// cannot change what is stored. Under QEMU -icount the timer counts
// instructions, so every run cuts at the same places. The loop state lives
// in .noinit RAM, which QEMU keeps across a system reset
// (ports/flash/README.md); the model lives only in flash.
//
// Last line: "power-cut on device: N cut points, L lost, M mixed" (lost: no
// valid model found; mixed: a model that is neither the old nor the new one).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <microprop/microprop.hpp>
#include <microprop/flash_store.hpp>
#include <microprop/serialize.hpp>

#include "console.hpp"
#include "port.h"
#include "power_cut.h"
#include "region_flash.hpp"

namespace mp = microprop;

namespace {

/// Cut points tried, one per reset: uniform_cuts spread evenly over the part
/// of the save that works on the flash, then commit_cuts at every tick
/// around the start of its last program call (the store's commit marker),
/// half before and half after it.
constexpr std::uint32_t uniform_cuts = 960;
constexpr std::uint32_t commit_cuts = 128;
constexpr std::uint32_t cut_points = uniform_cuts + commit_cuts;
/// Training samples between two saves.
constexpr int samples_per_save = 8;

/// 8-24-4: a 1,300-byte blob, so each store slot spans two 1 KB pages.
using network = mp::network<float, mp::dense<8, 24>, mp::tanh, mp::dense<24, 4>, mp::softmax>;
using trainer = mp::trainer<network, mp::cross_entropy, mp::sgd>;

/// Survives the resets (QEMU keeps RAM across a system reset); checked by
/// magic and CRC so that the zeros (or garbage) of a power-on start fresh.
struct loop_state {
    std::uint32_t magic;
    std::uint32_t next_cut;          ///< index of the cut point the current save was cut at
    std::uint32_t quiet_ticks;       ///< from the start of a save to its first flash operation
    std::uint32_t write_ticks;       ///< from there to the end of the save
    std::uint32_t commit_ticks;      ///< from the start of a save to its last program call
    std::uint32_t old_generation;    ///< the model in flash before the save in progress
    std::uint32_t old_crc;
    std::uint32_t new_generation;    ///< the model the save in progress writes
    std::uint32_t new_crc;
    std::uint32_t lost;
    std::uint32_t mixed;
    std::uint32_t found_old;
    std::uint32_t found_new;
    std::uint32_t check;             ///< CRC-32 of the fields above
};
constexpr std::uint32_t state_magic = 0x43555431u;  // "1TUC"

__attribute__((section(".noinit"))) loop_state state;

std::uint32_t crc_of(const void* data, std::size_t n)
{
    return mp::detail::crc32(static_cast<const std::uint8_t*>(data), n);
}

bool state_valid() { return state.magic == state_magic && state.check == crc_of(&state, offsetof(loop_state, check)); }

void seal_state() { state.check = crc_of(&state, offsetof(loop_state, check)); }

/// CRC of the network's parameters: identifies a model.
std::uint32_t model_crc(const network& net)
{
    return crc_of(net.parameters().data(), network::parameter_bytes);
}

/// A few samples of a fixed 4-class problem, drawn from the generation
/// number, so training differs from save to save.
void train(trainer& tr, std::uint32_t generation)
{
    mp::random_generator rng(1000u + generation);
    for (int s = 0; s < samples_per_save; ++s) {
        float x[8];
        for (float& v : x) v = rng.uniform(-1.0f, 1.0f);
        const std::size_t label = x[0] + x[1] > 0.5f ? 0u : (x[2] - x[3] > 0.0f ? 1u : (x[4] > x[5] ? 2u : 3u));
        float d[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        d[label] = 1.0f;
        if (tr.train_sample(x, d) != mp::status::ok) {
            console::print("training failed\n");
            microprop_port_exit(2);
        }
    }
}

/// The board's flash driver, noting when a save first touches the flash
/// (before that a cut cannot change what is stored, so the cut points are
/// spread over the part of the save from there to its end) and when it
/// starts its last program call (the store's commit marker).
template <class Flash>
struct timed_flash : Flash {
    bool touched = false;
    std::uint32_t first_touch = 0;
    std::uint32_t last_program = 0;

    bool erase_page(std::size_t page)
    {
        note();
        return Flash::erase_page(page);
    }
    bool program(std::size_t offset, const std::uint8_t* data, std::size_t n)
    {
        note();
        last_program = microprop_port_counter();
        return Flash::program(offset, data, n);
    }
    void note()
    {
        if (!touched) first_touch = microprop_port_counter();
        touched = true;
    }
};

// ---- The store under test ---------------------------------------------------------------
/// Two slots of two 1 KB pages each: pages 0-3 of the port's flash region.
using store_flash = timed_flash<microprop_flash::region_flash<4>>;
using store_type = mp::flash_store<store_flash, mp::blob_bytes<network>>;
static_assert(store_type::pages_per_slot == 2, "The model should span two pages per slot (a multi-page save).");
store_flash flash;
std::uint8_t blob[mp::blob_bytes<network>];

/// One store object for the whole boot, as an application keeps it: the
/// recovery scan of the load at boot tells it where the newest copy is, so a
/// save does not scan again and always takes the same time.
store_type store(flash);

bool save_model(const network& net, std::uint32_t& generation)
{
    if (mp::save_parameters(net, mp::span<std::uint8_t>(blob)) != mp::status::ok) return false;
    if (store.save(mp::span<const std::uint8_t>(blob)) != mp::status::ok) return false;
    generation = store.generation();
    return true;
}

/// The newest model in flash into `net` and its generation; false if none.
bool load_model(network& net, std::uint32_t& generation)
{
    std::size_t length = 0;
    if (store.load(mp::span<std::uint8_t>(blob), length) != mp::status::ok) return false;
    generation = store.generation();
    return length == sizeof blob && mp::load_parameters(net, mp::span<const std::uint8_t>(blob)) == mp::status::ok;
}

bool format_store()
{
    for (std::size_t p = 0; p < store_flash::page_count; ++p) {
        if (!flash.erase_page(p)) return false;
    }
    return true;
}
// ------------------------------------------------------------------------------------------

network net;

[[noreturn]] void fail(const char* what)
{
    console::print("power-cut on device: ", what, "\n");
    microprop_port_exit(1);
}

/// First boot: an empty store, three uncut saves; the third, which like every
/// later one overwrites the older of two models, is the one timed.
void start_fresh(trainer& tr)
{
    if (!store_flash::fits()) fail("the port reserves too little flash for the store");
    if (!format_store()) fail("formatting the store failed");
    net.initialize(7);
    constexpr std::uint32_t fresh_saves = 3;
    std::uint32_t quiet = 0;
    std::uint32_t writing = 0;
    std::uint32_t commit = 0;
    std::uint32_t generation = 0;
    for (std::uint32_t expected = 1; expected <= fresh_saves; ++expected) {
        train(tr, expected);
        flash.touched = false;
        // Armed far beyond the save, as in the loop: the timer's interval
        // interrupts (ports/flash/power_cut_nrf5.c) lengthen the save a little.
        microprop_power_cut_arm(0x7FFFFFFFu);
        const std::uint32_t start = microprop_port_counter();
        const bool saved = save_model(net, generation);
        const std::uint32_t end = microprop_port_counter();
        microprop_power_cut_disarm();
        if (!saved || !flash.touched || generation != expected) fail("an uncut save failed");
        quiet = flash.first_touch - start;
        writing = end - flash.first_touch;
        commit = flash.last_program - start;
    }
    state = loop_state{};
    state.magic = state_magic;
    state.quiet_ticks = quiet;
    state.write_ticks = writing;
    state.commit_ticks = commit;
    state.new_generation = fresh_saves;
    state.new_crc = model_crc(net);
    state.old_generation = state.new_generation;
    state.old_crc = state.new_crc;
    state.next_cut = 0;
    seal_state();
    console::print("power-cut on device: a save computes for ", quiet, " ticks, then works on the flash for ",
                   writing, " ticks; ", uniform_cuts, " cut points spread over the flash part, ", commit_cuts,
                   " at every tick around the commit at ", commit, "\n");
}

/// After a reset: which model survived?
void check_recovery()
{
    std::uint32_t generation = 0;
    const bool found = load_model(net, generation);
    const std::uint32_t crc = found ? model_crc(net) : 0u;
    if (!found) {
        ++state.lost;
        console::print("cut ", state.next_cut, ": LOST (no valid model)\n");
        net.initialize(7);
        generation = 0;
    } else if (generation == state.new_generation && crc == state.new_crc) {
        ++state.found_new;
        if (state.found_new == 1u) console::print("cut ", state.next_cut, ": the first to find the new model\n");
    } else if (generation == state.old_generation && crc == state.old_crc) {
        ++state.found_old;
    } else {
        ++state.mixed;
        console::print("cut ", state.next_cut, ": MIXED (generation ", generation, ")\n");
    }
    state.old_generation = generation;
    state.old_crc = model_crc(net);
    ++state.next_cut;
}

/// Ticks from arming the timer to cut point k (state holds the save's timing).
std::uint32_t cut_delay(std::uint32_t k)
{
    if (k < uniform_cuts) {
        return state.quiet_ticks +
               static_cast<std::uint32_t>(static_cast<std::uint64_t>(k) * state.write_ticks / uniform_cuts);
    }
    return state.commit_ticks - commit_cuts / 2u + (k - uniform_cuts);
}

}  // namespace

int main()
{
    microprop_port_init();
    trainer tr(net, mp::sgd{0.05f});
    if (!state_valid()) {
        start_fresh(tr);
    } else {
        check_recovery();
    }
    if (state.next_cut >= cut_points) {
        console::print("power-cut on device: old model found ", state.found_old, " times, new ", state.found_new,
                       "\n");
        console::print("power-cut on device: ", state.next_cut, " cut points, ", state.lost, " lost, ", state.mixed,
                       " mixed\n");
        state.magic = 0;  // a later run starts fresh
        if (state.found_old == 0u || state.found_new == 0u) {
            fail("the cut points missed the save (every reboot found the same model)");
        }
        microprop_port_exit(state.lost == 0u && state.mixed == 0u ? 0 : 1);
    }
    // Continue training from what survived, then save the next generation
    // with the timer set to cut at point next_cut of cut_points.
    train(tr, state.old_generation + 1u);
    state.new_generation = state.old_generation + 1u;
    state.new_crc = model_crc(net);
    seal_state();
    microprop_power_cut_arm(cut_delay(state.next_cut));
    std::uint32_t generation = 0;
    const bool saved = save_model(net, generation);
    microprop_power_cut_disarm();
    if (!saved || generation != state.new_generation) fail("an uncut save failed or numbered its model wrongly");
    // The save finished before the cut: the power goes anyway.
    microprop_power_cut_now();
}
