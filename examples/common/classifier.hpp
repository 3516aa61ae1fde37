// The training loop the classifier examples (digits, iris) share: a learning-rate schedule,
// a shuffled epoch through microprop::train_epoch, one console line per epoch, a training-curve
// figure on the host, and the `result:` line that ctest checks.
#ifndef MICROPROP_EXAMPLES_CLASSIFIER_HPP
#define MICROPROP_EXAMPLES_CLASSIFIER_HPP

#include <cstdint>

#include <microprop/microprop.hpp>

#include "console.hpp"
#include "figure.hpp"
#include "port.h"
#include "training_clock.hpp"

namespace example {

/// Trains `trainer`'s network for Epochs epochs on `train` (new order each epoch, drawn from
/// `seed`), with the learning rate `schedule.at(epoch - 1)` in epoch 1, 2, .... Per epoch it
/// prints `epoch e loss=... train_acc=... test_acc=...` (mean training loss and accuracy of the
/// training samples as they were seen, before each update; accuracy on `test`); at the end the
/// training time and `result: train_acc=... test_acc=... us_per_sample=...` (full passes over
/// both splits). Writes the figure `<figure_name>.svg` on the host (figure.hpp). Exits
/// through the port with status 1 if a step fails.
template <int Epochs, class Trainer, class View, class Schedule>
void train_classifier(const char* name, const char* figure_name, Trainer& trainer, const View& train, const View& test,
                      const Schedule& schedule, std::uint32_t seed)
{
    namespace mp = microprop;
    auto& net = trainer.network();
    mp::random_generator rng(seed);
    mp::epoch_order order(static_cast<std::uint32_t>(train.size()));
    training_clock clock;
    training_curve<Epochs> curve;
    for (int epoch = 1; epoch <= Epochs; ++epoch) {
        trainer.optimizer().learning_rate = schedule.at(static_cast<std::uint32_t>(epoch - 1));
        order.reshuffle(rng);
        const auto summary = mp::train_epoch(trainer, train, order, clock);
        if (summary.result != mp::status::ok) {
            console::print("training failed at epoch ", epoch, ": ", mp::to_string(summary.result), "\n");
            microprop_port_exit(1);
        }
        const double train_accuracy = static_cast<double>(summary.running_correct) / static_cast<double>(train.size());
        const double test_accuracy = mp::accuracy(net, test);
        console::print("epoch ", epoch, " loss=", console::sci{summary.mean_loss, 4},
                       " train_acc=", console::fixed{train_accuracy, 4}, " test_acc=", console::fixed{test_accuracy, 4},
                       "\n");
        curve.add(epoch, static_cast<float>(summary.mean_loss), static_cast<float>(train_accuracy),
                  static_cast<float>(test_accuracy));
    }
    curve.write(figure_name, name);
    console::print("training took ", console::fixed{clock.seconds(), 3}, " s by the port's counter\n");
    console::print("result: train_acc=", console::fixed{mp::accuracy(net, train), 4},
                   " test_acc=", console::fixed{mp::accuracy(net, test), 4},
                   " us_per_sample=", console::fixed{clock.microseconds_per_sample(), 3}, "\n");
}

}  // namespace example

#endif
