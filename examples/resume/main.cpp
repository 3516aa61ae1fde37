// resume: training that survives power cuts. The iris network (4-16-3) trains
// on the device and saves its weights and epoch to flash every few epochs
// through the power-loss-safe store (microprop/flash_store.hpp) and the
// board's flash driver (ports/flash/). A hardware timer cuts the power (resets
// the chip) several times, some in the middle of an epoch and some in the
// middle of a save; each boot restores the newest model the store holds,
// reports its generation and accuracy, and continues from its epoch. The
// epoch order and learning rate depend only on the epoch number and SGD keeps
// no state, so the final weights are the ones an uninterrupted run gives.
//
// The cut plan and the boot count live in .noinit RAM, which survives the
// reset under QEMU (ports/flash/README.md); the model lives only in flash.
// Last line: `result: resets=... lost=... train_acc=... test_acc=...`
// (lost: boots that restored something other than the last committed save or
// the one being written when the power went).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "model.hpp"

#include <microprop/flash_store.hpp>

#include "../data/iris_data.hpp"
#include "console.hpp"
#include "port.h"
#include "power_cut.h"
#include "region_flash.hpp"

namespace mp = microprop;
namespace data = microprop_data::iris;
using example_model::network;
using example_model::trainer;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

namespace {

constexpr std::uint32_t seed = 3;
constexpr mp::inverse_time_schedule schedule{0.05f, 0.1f};  // 0.05 / (1 + 0.1 (epoch - 1))
constexpr std::uint32_t epochs = 40;
constexpr std::uint32_t save_every = 4;  // epochs
constexpr auto statistics =
    mp::feature_statistics<float, data::feature_count>::from(data::feature_mean, data::feature_std);
/// The iris samples, standardised on the fly with the training split's statistics.
constexpr auto samples = mp::classification_view<float, data::class_count>(data::features, data::labels)
                             .standardized(&statistics);
constexpr auto train_split = samples.subset(data::train_index);
constexpr auto test_split = samples.subset(data::test_index);

/// Where a boot's power cut falls: `percent` of the way through the third
/// epoch after boot (mid_training, counted from the end of the first, whose
/// duration is measured), or through the boot's second save (mid_save, timed
/// by its first). The boot after the last entry runs to the end.
enum class cut_kind : std::uint32_t { mid_training, mid_save };
struct planned_cut {
    cut_kind kind;
    std::uint32_t percent;
};
constexpr planned_cut cut_plan[] = {
    {cut_kind::mid_training, 150}, {cut_kind::mid_save, 50}, {cut_kind::mid_training, 230},
    {cut_kind::mid_save, 97},      {cut_kind::mid_save, 10}, {cut_kind::mid_training, 180},
};
constexpr std::uint32_t planned_resets = sizeof cut_plan / sizeof cut_plan[0];

/// Kept across resets in .noinit RAM; magic and CRC tell a power-on apart.
struct demo_state {
    std::uint32_t magic;
    std::uint32_t resets;              ///< boots so far after the first
    std::uint32_t committed;           ///< generation of the last save that returned ok (0: none)
    std::uint32_t saving;              ///< generation a save was writing when it started (0: none)
    std::uint32_t lost;                ///< boots that restored an unexpected generation
    std::uint32_t check;
};
constexpr std::uint32_t demo_magic = 0x4D555352u;  // "RSUM"
__attribute__((section(".noinit"))) demo_state demo;

std::uint32_t demo_crc()
{
    return mp::detail::crc32(reinterpret_cast<const std::uint8_t*>(&demo), offsetof(demo_state, check));
}
bool demo_valid() { return demo.magic == demo_magic && demo.check == demo_crc(); }
void seal_demo() { demo.check = demo_crc(); }

using store_type = mp::flash_store<microprop_flash::region_flash<2>, example_model::record_bytes>;
microprop_flash::region_flash<2> flash;
store_type store(flash);
std::uint8_t record[example_model::record_bytes];

network net;

/// The newest saved model and the epoch it was saved after; false if none.
bool restore(std::uint32_t& epoch)
{
    std::size_t length = 0;
    if (store.load(mp::span<std::uint8_t>(record), length) != mp::status::ok || length != sizeof record) return false;
    std::memcpy(&epoch, record, example_model::record_epoch_bytes);
    const mp::span<const std::uint8_t> blob(record + example_model::record_epoch_bytes,
                                            sizeof record - example_model::record_epoch_bytes);
    return epoch <= epochs && mp::load_parameters(net, blob) == mp::status::ok;
}

/// Saves the weights after `epoch`; the demo state notes the generation in
/// flight so the next boot knows what it may find.
bool save(std::uint32_t epoch)
{
    std::memcpy(record, &epoch, example_model::record_epoch_bytes);
    if (mp::save_parameters(net, mp::span<std::uint8_t>(record + example_model::record_epoch_bytes,
                                                        sizeof record - example_model::record_epoch_bytes)) !=
        mp::status::ok) {
        return false;
    }
    demo.saving = store.has_record() ? store.generation() + 1u : 1u;
    seal_demo();
    const bool ok = store.save(mp::span<const std::uint8_t>(record)) == mp::status::ok;
    demo.saving = 0;
    if (ok) demo.committed = store.generation();
    seal_demo();
    return ok;
}

/// One epoch of per-sample SGD; the order and learning rate depend only on
/// the epoch number, so a resumed run repeats exactly what a lost one did.
void train_epoch(trainer& tr, std::uint32_t epoch)
{
    tr.optimizer().learning_rate = schedule.at(epoch - 1u);
    mp::random_generator rng(seed * 1000u + epoch);
    mp::epoch_order order(static_cast<std::uint32_t>(train_split.size()));
    order.reshuffle(rng);
    const mp::status result = mp::train_epoch(tr, train_split, order).result;
    if (result != mp::status::ok) {
        console::print("training failed at epoch ", epoch, ": ", mp::to_string(result), "\n");
        microprop_port_exit(1);
    }
}

/// Accuracy on the test split, as printed.
console::fixed test_accuracy() { return console::fixed{mp::accuracy(net, test_split), 4}; }
/// Accuracy on the training split, as printed.
console::fixed train_accuracy() { return console::fixed{mp::accuracy(net, train_split), 4}; }

std::uint32_t percent_of(std::uint32_t ticks, std::uint32_t percent)
{
    return static_cast<std::uint32_t>(static_cast<std::uint64_t>(ticks) * percent / 100u);
}

/// Boot: what did the store keep, and is it what the last boot committed
/// (or was committing when the power went)?
std::uint32_t boot()
{
    if (!demo_valid()) {
        demo = demo_state{};
        demo.magic = demo_magic;
    } else {
        ++demo.resets;
    }
    std::uint32_t epoch = 0;
    const bool restored = restore(epoch);
    const std::uint32_t generation = restored ? store.generation() : 0u;
    console::print("boot ", demo.resets, ": ");
    if (restored) {
        console::print("restored generation ", generation, " (saved after epoch ", epoch, "), test_acc=",
                       test_accuracy(), "; continuing\n");
    } else {
        console::print("no saved model; starting from scratch\n");
        net.initialize(seed);
    }
    if (generation != demo.committed && (demo.saving == 0u || generation != demo.saving)) {
        ++demo.lost;
        console::print("boot ", demo.resets, ": expected generation ", demo.committed,
                       demo.saving != 0u ? " or the one in flight" : "", ", found ", generation, "\n");
    }
    demo.committed = generation;
    demo.saving = 0;
    seal_demo();
    return epoch;
}

}  // namespace

int main()
{
    microprop_port_init();
    const std::uint32_t start_epoch = boot();
    const bool cut_this_boot = demo.resets < planned_resets;
    const planned_cut cut = cut_this_boot ? cut_plan[demo.resets] : planned_cut{cut_kind::mid_training, 0};
    if (cut_this_boot) {
        console::print("boot ", demo.resets, ": the power will fail ",
                       cut.kind == cut_kind::mid_save ? "during its second save, " : "during training, ",
                       cut.percent, "% ", cut.kind == cut_kind::mid_save ? "into it" : "of an epoch after the first",
                       "\n");
    }
    trainer tr(net, mp::sgd{schedule.initial});
    std::uint32_t saves_this_boot = 0;
    std::uint32_t save_ticks = 0;
    for (std::uint32_t epoch = start_epoch + 1; epoch <= epochs; ++epoch) {
        const std::uint32_t epoch_start = microprop_port_counter();
        train_epoch(tr, epoch);
        if (cut_this_boot && cut.kind == cut_kind::mid_training && epoch == start_epoch + 1) {
            const std::uint32_t epoch_ticks = microprop_port_counter() - epoch_start;
            microprop_power_cut_arm(percent_of(epoch_ticks, cut.percent));
        }
        if (epoch % save_every != 0u && epoch != epochs) continue;
        if (cut_this_boot && cut.kind == cut_kind::mid_save && saves_this_boot == 1u) {
            microprop_power_cut_arm(percent_of(save_ticks, cut.percent));
        }
        const std::uint32_t save_start = microprop_port_counter();
        if (!save(epoch)) {
            console::print("saving failed at epoch ", epoch, "\n");
            microprop_port_exit(1);
        }
        save_ticks = microprop_port_counter() - save_start;
        ++saves_this_boot;
        console::print("epoch ", epoch, ": saved generation ", store.generation(), ", train_acc=", train_accuracy(),
                       " test_acc=", test_accuracy(), "\n");
    }
    microprop_power_cut_disarm();
    console::print("result: resets=", demo.resets, " lost=", demo.lost, " generation=", store.generation(),
                   " train_acc=", train_accuracy(), " test_acc=", test_accuracy(), " weights_crc=",
                   mp::detail::crc32(reinterpret_cast<const std::uint8_t*>(net.parameters().data()),
                                     network::parameter_bytes),
                   "\n");
    demo.magic = 0;  // the next start is a new demonstration
    microprop_port_exit(demo.lost == 0u ? 0 : 1);
}
