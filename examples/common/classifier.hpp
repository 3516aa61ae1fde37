// The training loop the classifier examples (digits, iris) share: a learning-rate schedule,
// a shuffled epoch through microprop::train_epoch, one console line per epoch, a training-curve
// figure on the host, and the `result:` line that ctest checks.
#ifndef MICROPROP_EXAMPLES_CLASSIFIER_HPP
#define MICROPROP_EXAMPLES_CLASSIFIER_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <microprop/microprop.hpp>

#include "console.hpp"
#include "figure.hpp"
#include "port.h"
#include "training_clock.hpp"

namespace example {

/// One per-sample epoch of a q3_12 trainer over `data` in `order`, like microprop::train_epoch
/// (which does not take q3_12 trainers yet: it sums the losses in the network's scalar, where
/// the sum would saturate at 8, and calls train_batch). The losses are summed in double after
/// the clock has stopped. Returns the summary with the mean loss as a double.
template <class Trainer, class View>
microprop::epoch_summary<double> train_fixed_point_epoch(Trainer& trainer, const View& data,
                                                         const microprop::epoch_order& order, training_clock& clock)
{
    namespace mp = microprop;
    using T = typename Trainer::T;
    using net_t = typename Trainer::network_type;
    mp::epoch_summary<double> summary;
    std::array<T, net_t::input_size> x{};
    std::array<T, net_t::output_size> d{};
    double loss_sum = 0.0;
    for (std::size_t k = 0; k < data.size(); ++k) {
        const std::size_t sample = order[static_cast<std::uint32_t>(k)];
        data.load(sample, x);
        data.target(sample, d);
        clock.start();
        const mp::status step = trainer.train_sample(x, d);
        clock.stop(1);
        if (step != mp::status::ok) {
            summary.result = step;
            break;
        }
        loss_sum += static_cast<double>(trainer.last_loss());
        ++summary.samples;
        ++summary.steps;
        // The network's output still holds this sample's forward pass (before the update).
        summary.running_correct += mp::argmax(trainer.network().output()) == data.label(sample) ? 1u : 0u;
    }
    if (summary.samples > 0) summary.mean_loss = loss_sum / static_cast<double>(summary.samples);
    return summary;
}

/// Trains `trainer`'s network for Epochs epochs on `train` (new order each epoch, drawn from
/// `seed`), with the learning rate `schedule.at(epoch - 1)` in epoch 1, 2, .... Per epoch it
/// prints `epoch e loss=... train_acc=... test_acc=...` (mean training loss and accuracy of the
/// training samples as they were seen, before each update; accuracy on `test`); at the end the
/// training time and `result: train_acc=... test_acc=... us_per_sample=...` (full passes over
/// both splits); given the float build's test accuracy (`float_test_accuracy` >= 0, which a
/// fixed-point build passes), also ` float_test_acc=... below_float=...`: how far the test
/// accuracy lies below float (negative when above). Writes the figure `<figure_name>.svg` on
/// the host (figure.hpp). Exits through the port with status 1 if a step fails.
template <int Epochs, class Trainer, class View, class Schedule>
void train_classifier(const char* name, const char* figure_name, Trainer& trainer, const View& train, const View& test,
                      const Schedule& schedule, std::uint32_t seed, double float_test_accuracy = -1.0)
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
        mp::epoch_summary<double> summary;
        if constexpr (std::is_floating_point<typename Trainer::T>::value) {
            const auto float_summary = mp::train_epoch(trainer, train, order, clock);
            summary.result = float_summary.result;
            summary.running_correct = float_summary.running_correct;
            summary.mean_loss = static_cast<double>(float_summary.mean_loss);
        } else {
            summary = train_fixed_point_epoch(trainer, train, order, clock);
        }
        if (summary.result != mp::status::ok) {
            console::print("training failed at epoch ", epoch, ": ", mp::to_string(summary.result), "\n");
            microprop_port_exit(1);
        }
        const double train_accuracy = static_cast<double>(summary.running_correct) / static_cast<double>(train.size());
        const double test_accuracy = mp::accuracy(net, test);
        const double mean_loss = summary.mean_loss;
        console::print("epoch ", epoch, " loss=", console::sci{mean_loss, 4},
                       " train_acc=", console::fixed{train_accuracy, 4}, " test_acc=", console::fixed{test_accuracy, 4},
                       "\n");
        curve.add(epoch, static_cast<float>(mean_loss), static_cast<float>(train_accuracy),
                  static_cast<float>(test_accuracy));
    }
    curve.write(figure_name, name);
    console::print("training took ", console::fixed{clock.seconds(), 3}, " s by the port's counter\n");
    const double test_accuracy = mp::accuracy(net, test);
    console::print("result: train_acc=", console::fixed{mp::accuracy(net, train), 4},
                   " test_acc=", console::fixed{test_accuracy, 4},
                   " us_per_sample=", console::fixed{clock.microseconds_per_sample(), 3});
    if (float_test_accuracy >= 0.0) {
        console::print(" float_test_acc=", console::fixed{float_test_accuracy, 4},
                       " below_float=", console::fixed{float_test_accuracy - test_accuracy, 4});
    }
    console::print("\n");
}

}  // namespace example

#endif
