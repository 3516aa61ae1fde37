// transfer: a 64-32-10 digits network pretrained in PyTorch on the PC (examples/transfer/
// pretrain.py: half of the training split, classes 0..6 only) is exported with its first layer
// frozen in flash (pretrained_64_32_10.hpp). The device fine-tunes the 32-10 head on its own
// images (the other half, all ten classes), then trains the same network fully from scratch on
// the same images for comparison. It prints the RAM and flash of each, the test accuracy before
// and after, and the instructions per training step (under QEMU -icount), then
// `result: before_acc=... pytorch_gap=... fine_tuned_acc=... full_acc=... fine_tune_ram=... full_ram=...
// fine_tune_insn=... full_insn=...` (goals: microprop classifies as PyTorch before, fine-tuning lifts the accuracy to >= 0.85).
#include "model.hpp"

#include "transfer.hpp"

namespace mp = microprop;
using namespace example_model;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

namespace {

constexpr int epochs = 5;
constexpr std::uint32_t seed = 5;
constexpr mp::inverse_time_schedule schedule{0.1f, 0.5f};  // 0.1 / (1 + 0.5 (epoch - 1))

fine_tuned model(pretrained::backbone_parameters);
network full(seed);

}  // namespace

int main()
{
    microprop_port_init();
    console::print("transfer: 64-32-10 relu/softmax pretrained in PyTorch on ",
                   static_cast<unsigned>(device_split::pc_count), " images of classes 0..",
                   static_cast<unsigned>(device_split::pc_classes - 1), "; the device trains on ",
                   static_cast<unsigned>(transfer::device_train().size()), " images of all ten, ", epochs,
                   " epochs of SGD lr=0.100/(1+0.50 epoch), tests on ", static_cast<unsigned>(transfer::test().size()),
                   "\n");
    pretrained::load(model.head());
    const double before = transfer::print_accuracy("before (PyTorch's network as exported)", model);
    const double pytorch_gap = transfer::gap_to_pytorch(before, device_split::pytorch_test_correct_64_32_10);

    fine_tune_trainer fine_tuning(model, mp::sgd{schedule.initial});
    example::training_clock fine_clock;
    transfer::train<epochs>("fine-tuning", fine_tuning, schedule, seed, fine_clock);
    console::print("fine-tuning the head (64-32 relu frozen in flash): RAM ", static_cast<unsigned>(fine_tune_ram_bytes),
                   " B (model ", static_cast<unsigned>(sizeof(fine_tuned)), " + trainer ",
                   static_cast<unsigned>(sizeof(fine_tune_trainer)), "), flash ",
                   static_cast<unsigned>(fine_tuned::flash_bytes), " B of frozen weights, ",
                   console::fixed{transfer::instructions_per_step(fine_clock), 0}, " instructions per step\n");
    const double fine_tuned_accuracy = transfer::print_accuracy("after fine-tuning", model);

    trainer full_training(full, mp::sgd{schedule.initial});
    example::training_clock full_clock;
    transfer::train<epochs>("full training", full_training, schedule, seed, full_clock);
    console::print("full training from scratch: RAM ", static_cast<unsigned>(full_training_ram_bytes),
                   " B (network ", static_cast<unsigned>(sizeof(network)), " + trainer ",
                   static_cast<unsigned>(sizeof(trainer)), "), ",
                   console::fixed{transfer::instructions_per_step(full_clock), 0}, " instructions per step\n");
    const double full_accuracy = transfer::print_accuracy("after full training", full);

    console::print("result: before_acc=", console::fixed{before, 4}, " pytorch_gap=", console::fixed{pytorch_gap, 4},
                   " fine_tuned_acc=", console::fixed{fine_tuned_accuracy, 4},
                   " full_acc=", console::fixed{full_accuracy, 4}, " fine_tune_ram=",
                   static_cast<unsigned>(fine_tune_ram_bytes), " full_ram=", static_cast<unsigned>(full_training_ram_bytes),
                   " fine_tune_insn=", console::fixed{transfer::instructions_per_step(fine_clock), 0},
                   " full_insn=", console::fixed{transfer::instructions_per_step(full_clock), 0}, "\n");
    microprop_port_exit(0);
}
