// What the transfer examples share: the digits views of the device's data (device_split.hpp),
// an epoch loop for a fine_tune_trainer or a full trainer, and the figures they print.
#ifndef MICROPROP_EXAMPLES_TRANSFER_HPP
#define MICROPROP_EXAMPLES_TRANSFER_HPP

#include <array>
#include <cstdint>

#include <microprop/frozen.hpp>
#include <microprop/microprop.hpp>

#include "../common/console.hpp"
#include "../common/training_clock.hpp"
#include "../data/digits_data.hpp"
#include "device_split.hpp"
#include "port.h"

namespace transfer {

namespace mp = microprop;
namespace data = microprop_data::digits;

constexpr float pixel_scale = 1.0f / data::max_pixel;  // pixels 0..16 -> 0..1
constexpr float pixel_offset = 0.0f;

/// Every digits image (in flash), decoded to 0..1 when read.
constexpr auto images()
{
    return mp::classification_view<float, data::class_count>(data::pixels, data::labels)
        .with_coding(pixel_scale, pixel_offset);
}
/// The device's own training images: all ten classes.
constexpr auto device_train() { return images().subset(device_split::device_index); }
/// The test split: all ten classes.
constexpr auto test() { return images().subset(data::test_index); }

/// The learning rate of a full trainer ...
template <class Trainer>
float& learning_rate(Trainer& trainer)
{
    return trainer.optimizer().learning_rate;
}
/// ... and of a fine_tune_trainer's head trainer.
template <class Model, class Loss, class Optimizer>
float& learning_rate(mp::fine_tune_trainer<Model, Loss, Optimizer>& trainer)
{
    return trainer.head_trainer().optimizer().learning_rate;
}

/// Trains Epochs epochs of per-sample steps on the device's images (new order each epoch from
/// `seed`, learning rate schedule.at(epoch - 1)); `clock` times the steps only. Exits through the
/// port with status 1 if a step fails.
template <int Epochs, class Trainer, class Schedule>
void train(const char* what, Trainer& trainer, const Schedule& schedule, std::uint32_t seed,
           example::training_clock& clock)
{
    const auto view = device_train();
    mp::random_generator rng(seed);
    mp::epoch_order order(static_cast<std::uint32_t>(view.size()));
    std::array<float, data::pixel_count> x{};
    std::array<float, data::class_count> d{};
    for (int epoch = 1; epoch <= Epochs; ++epoch) {
        learning_rate(trainer) = schedule.at(static_cast<std::uint32_t>(epoch - 1));
        order.reshuffle(rng);
        for (std::uint32_t k = 0; k < view.size(); ++k) {
            view.load(order[k], x);
            view.target(order[k], d);
            clock.start();
            const mp::status step = trainer.train_sample(x, d);
            clock.stop(1);
            if (step != mp::status::ok) {
                console::print(what, ": training failed at epoch ", epoch, ": ", mp::to_string(step), "\n");
                microprop_port_exit(1);
            }
        }
    }
}

/// Instructions per training step from the clock: under QEMU -icount shift=6 (tests/qemu/
/// run-qemu.sh) an instruction takes 64 ns. On the host the figure means nothing (0 there).
inline double instructions_per_step(const example::training_clock& clock)
{
#if defined(__arm__)
    return clock.microseconds_per_sample() * 1000.0 / 64.0;
#else
    (void)clock;
    return 0.0;
#endif
}

/// Prints the test accuracy of a model (fine_tuned or network), and on the classes the PC never
/// saw, in one pass over the test split; returns the test accuracy.
template <class Model>
double print_accuracy(const char* what, Model& model)
{
    const auto view = test();
    std::array<float, data::pixel_count> x{};
    std::size_t correct = 0, unseen = 0, unseen_correct = 0;
    for (std::size_t k = 0; k < view.size(); ++k) {
        view.load(k, x);
        const bool right = mp::argmax(model.forward(x)) == view.label(k);
        correct += right ? 1u : 0u;
        if (view.label(k) >= device_split::pc_classes) {
            ++unseen;
            unseen_correct += right ? 1u : 0u;
        }
    }
    const double accuracy = static_cast<double>(correct) / static_cast<double>(view.size());
    console::print(what, ": test_acc=", console::fixed{accuracy, 4}, " (classes ",
                   static_cast<unsigned>(device_split::pc_classes), "..9 the PC never saw: ",
                   console::fixed{static_cast<double>(unseen_correct) / static_cast<double>(unseen), 4}, ")\n");
    return accuracy;
}

/// Prints PyTorch's accuracy on the test split (`correct` images right, from pretrain.py) and
/// returns its distance to microprop's `accuracy` of the same exported network: 0 when both
/// classify every test image alike.
inline double gap_to_pytorch(double accuracy, std::size_t correct)
{
    const double pytorch = static_cast<double>(correct) / static_cast<double>(test().size());
    console::print("  (PyTorch, same network on the PC: test_acc=", console::fixed{pytorch, 4}, ")\n");
    return accuracy > pytorch ? accuracy - pytorch : pytorch - accuracy;
}

}  // namespace transfer

#endif
