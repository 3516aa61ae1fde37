// guarded_digits: the digits classifier (64-32-10, examples/digits) trained per sample
// with SGD, first 5 epochs at learning rate 0.1, then restarted at 0.5 and decayed as
// 0.5 / (1 + 0.5 k) (k = epochs since the restart). At 0.5 per-sample SGD on digits
// diverges today: within an epoch every ReLU unit dies and the test accuracy falls to
// 0.10. A microprop::divergence_guard keeps the last good weights in RAM, rolls back when
// the recent loss exceeds ten times its healthy average, and quarters the learning rate.
// One line per rollback, one progress line per epoch, then
// `result: train_acc=... test_acc=... rollbacks=... learning_rate=...` (goal: test >= 0.95).
//
// Built with -DGUARDED_DIGITS_WITHOUT_GUARD=1 the same program trains unguarded (README).
#include "model.hpp"

#include "../common/training_clock.hpp"
#include "../data/digits_data.hpp"
#include "console.hpp"
#include "port.h"

namespace mp = microprop;
namespace data = microprop_data::digits;
using example_model::guard;
using example_model::network;
using example_model::trainer;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

#if !defined(GUARDED_DIGITS_WITHOUT_GUARD)
#define GUARDED_DIGITS_WITHOUT_GUARD 0
#endif

namespace {

constexpr std::uint32_t seed = 5;
constexpr float first_learning_rate = 0.1f;  // epochs 1..restart_epoch - 1
constexpr float restart_learning_rate = 0.5f;  // at epoch e >= restart_epoch: 0.5 / (1 + lr_decay (e - restart_epoch))
constexpr int restart_epoch = 6;
constexpr float lr_decay = 0.5f;
constexpr int epochs = 20;
/// What a rollback multiplies the learning rate by: 0.5 -> 0.125 in one step. Halving (the
/// default) lands on 0.25 first, which on some runs degrades slowly instead of jumping,
/// and the guard does not see that (README).
constexpr float rollback_learning_rate_factor = 0.25f;
constexpr float pixel_scale = 1.0f / data::max_pixel;  // pixels 0..16 -> 0..1
constexpr float pixel_offset = 0.0f;

// Static, not on the stack. Constructed in this order, so the guard's first snapshot holds
// the initialised weights.
network net(seed);
trainer tr(net, mp::sgd{first_learning_rate});
guard guarded(tr);

/// The schedule's learning rate for an epoch, before the guard's lowering.
float scheduled_learning_rate(int epoch)
{
    if (epoch < restart_epoch) return first_learning_rate;
    return restart_learning_rate / (1.0f + lr_decay * static_cast<float>(epoch - restart_epoch));
}

}  // namespace

int main()
{
    microprop_port_init();
    guarded.settings().learning_rate_factor = rollback_learning_rate_factor;
    console::print("guarded_digits: 64-32-10 relu/softmax, cross-entropy, SGD lr=", console::fixed{first_learning_rate, 3},
                   " for ", restart_epoch - 1, " epochs, then ", console::fixed{restart_learning_rate, 3}, "/(1+",
                   console::fixed{lr_decay, 2}, " k), ", epochs, " epochs, ",
                   GUARDED_DIGITS_WITHOUT_GUARD ? "unguarded" : "guarded", "; network ", network::bytes,
                   " B, trainer ", sizeof(trainer), " B, guard ", guard::bytes, " B\n");
    const auto images = mp::classification_view<float, data::class_count>(data::pixels, data::labels)
                            .with_coding(pixel_scale, pixel_offset);
    const auto train = images.subset(data::train_index);
    const auto test = images.subset(data::test_index);
    mp::random_generator rng(seed);
    mp::epoch_order order(data::train_count);
    float x[data::pixel_count];
    float d[data::class_count];
    example::training_clock clock;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        // A schedule that sets the rate itself must keep the guard's lowering.
        tr.optimizer().learning_rate = scheduled_learning_rate(epoch) * guarded.learning_rate_scale();
        order.reshuffle(rng);
        float loss = 0.0f;
        std::size_t correct = 0;
        for (std::uint32_t k = 0; k < data::train_count; ++k) {
            train.load(order[k], x);
            train.target(order[k], d);
            clock.start();
            const mp::status step = GUARDED_DIGITS_WITHOUT_GUARD ? tr.train_sample(x, d) : guarded.train_sample(x, d);
            clock.stop(1);
            if (step == mp::status::rolled_back) {
                console::print("  rollback ", guarded.rollbacks(), " in epoch ", epoch, " at sample ", k + 1,
                               ": learning rate now ", console::fixed{tr.optimizer().learning_rate, 4}, "\n");
                continue;
            }
            if (step != mp::status::ok) {
                console::print("training failed at epoch ", epoch, ": ", mp::to_string(step), "\n");
                microprop_port_exit(1);
            }
            loss += tr.last_loss();
            // The network's output still holds this sample's forward pass (before the update).
            correct += mp::argmax(net.output()) == train.label(order[k]) ? 1u : 0u;
        }
        console::print("epoch ", epoch, " lr=", console::fixed{tr.optimizer().learning_rate, 4},
                       " loss=", console::sci{loss / data::train_count, 4},
                       " train_acc=", console::fixed{static_cast<double>(correct) / data::train_count, 4},
                       " test_acc=", console::fixed{mp::accuracy(net, test), 4}, "\n");
    }
    console::print("training took ", console::fixed{clock.seconds(), 3}, " s by the port's counter\n");
    console::print("result: train_acc=", console::fixed{mp::accuracy(net, train), 4},
                   " test_acc=", console::fixed{mp::accuracy(net, test), 4}, " rollbacks=", guarded.rollbacks(),
                   " learning_rate=", console::fixed{tr.optimizer().learning_rate, 4},
                   " us_per_sample=", console::fixed{clock.microseconds_per_sample(), 3}, "\n");
    microprop_port_exit(0);
}
