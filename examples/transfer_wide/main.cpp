// transfer_wide: a 64-128-10 digits network, pretrained in PyTorch like examples/transfer's
// (classes 0..6 of half the training split), whose full training does not fit the micro:bit's
// 16 KB of RAM (network and trainer about 40 KB), fine-tuned there with its 64-128 layer frozen
// in flash (33 KB of weights): only the 128-10 head and its trainer are in RAM. Prints both RAM
// figures, the flash of the frozen layer, the test accuracy before and after and the
// instructions per step, then `result: before_acc=... pytorch_gap=... fine_tuned_acc=... fine_tune_ram=...
// full_ram=... fine_tune_insn=... quantized_...` (the same with the frozen layer's weights as int8 with
// a float scale per row: a quarter of the flash) (goals: microprop classifies as PyTorch before, fine-tuned accuracy >= 0.85).
#include "model.hpp"

#include "../transfer/transfer.hpp"

namespace mp = microprop;
using namespace example_model;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

namespace {

constexpr int epochs = 2;
constexpr std::uint32_t seed = 5;
constexpr mp::inverse_time_schedule schedule{0.1f, 0.5f};  // 0.1 / (1 + 0.5 (epoch - 1))

fine_tuned model(pretrained::backbone_parameters);
fine_tuned8 model8(pretrained::backbone8_parameters);

}  // namespace

int main()
{
    microprop_port_init();
    console::print("transfer_wide: 64-128-10 relu/softmax pretrained in PyTorch on ",
                   static_cast<unsigned>(device_split::pc_count), " images of classes 0..",
                   static_cast<unsigned>(device_split::pc_classes - 1), "; the device fine-tunes on ",
                   static_cast<unsigned>(transfer::device_train().size()), " images of all ten, ", epochs,
                   " epochs of SGD lr=0.100/(1+0.50 epoch), tests on ", static_cast<unsigned>(transfer::test().size()),
                   "\n");
    console::print("full training would need ", static_cast<unsigned>(full_training_ram_bytes), " B of RAM (network ",
                   static_cast<unsigned>(sizeof(network)), " + trainer ", static_cast<unsigned>(sizeof(trainer)),
                   "): more than a micro:bit's 16384\n");
    pretrained::load(model.head());
    const double before = transfer::print_accuracy("before (PyTorch's network as exported)", model);
    const double pytorch_gap = transfer::gap_to_pytorch(before, device_split::pytorch_test_correct_64_128_10);

    fine_tune_trainer fine_tuning(model, mp::sgd{schedule.initial});
    example::training_clock clock;
    transfer::train<epochs>("fine-tuning", fine_tuning, schedule, seed, clock);
    console::print("fine-tuning the head (64-128 relu frozen in flash): RAM ", static_cast<unsigned>(fine_tune_ram_bytes),
                   " B (model ", static_cast<unsigned>(sizeof(fine_tuned)), " + trainer ",
                   static_cast<unsigned>(sizeof(fine_tune_trainer)), "), flash ",
                   static_cast<unsigned>(fine_tuned::flash_bytes), " B of frozen weights, ",
                   console::fixed{transfer::instructions_per_step(clock), 0}, " instructions per step\n");
    const double after = transfer::print_accuracy("after fine-tuning", model);

    pretrained::load(model8.head());
    const double before8 = transfer::print_accuracy("int8 frozen layer, before", model8);
    fine_tune_trainer8 fine_tuning8(model8, mp::sgd{schedule.initial});
    example::training_clock clock8;
    transfer::train<epochs>("fine-tuning (int8)", fine_tuning8, schedule, seed, clock8);
    console::print("fine-tuning the head over the int8 frozen layer: RAM ", static_cast<unsigned>(fine_tune8_ram_bytes),
                   " B, flash ", static_cast<unsigned>(fine_tuned8::flash_bytes), " B of frozen weights and scales, ",
                   console::fixed{transfer::instructions_per_step(clock8), 0}, " instructions per step\n");
    const double after8 = transfer::print_accuracy("int8 frozen layer, after fine-tuning", model8);
    console::print("result: before_acc=", console::fixed{before, 4}, " pytorch_gap=", console::fixed{pytorch_gap, 4},
                   " fine_tuned_acc=", console::fixed{after, 4},
                   " fine_tune_ram=", static_cast<unsigned>(fine_tune_ram_bytes),
                   " full_ram=", static_cast<unsigned>(full_training_ram_bytes),
                   " fine_tune_insn=", console::fixed{transfer::instructions_per_step(clock), 0},
                   " quantized_before_acc=", console::fixed{before8, 4}, " quantized_fine_tuned_acc=", console::fixed{after8, 4},
                   " quantized_flash=", static_cast<unsigned>(fine_tuned8::flash_bytes),
                   " quantized_fine_tune_insn=", console::fixed{transfer::instructions_per_step(clock8), 0}, "\n");
    microprop_port_exit(0);
}
