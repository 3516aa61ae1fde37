// anomaly: novelty detection with a tied autoencoder trained on the device. A 64-16-64
// autoencoder whose decoder is its encoder's matrix transposed (tied<0>) learns to
// reconstruct the training images of digits 0-4 only; the reconstruction error then
// scores every test image, and digits 5-9 (never seen) should score higher. Prints one
// line per epoch (mean training loss), then the ROC area of the score (normal 0-4 against
// novel 5-9 test images), the detection rate and false alarms at the 95th percentile of
// the training errors, and `result: auc=...` (goal: auc >= 0.85). On the host,
// MICROPROP_FIGURES=<dir> also writes the ROC curve to <dir>/anomaly_roc.svg.
#include "model.hpp"

#include "../data/digits_data.hpp"
#include "../common/figure.hpp"
#include "../common/training_clock.hpp"
#include "console.hpp"
#include "port.h"

namespace mp = microprop;
namespace data = microprop_data::digits;
using example_model::network;
using example_model::trainer;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

namespace {

constexpr std::uint32_t seed = 3;
constexpr float learning_rate = 0.1f;
constexpr int epochs = 15;
constexpr std::uint8_t normal_classes = 5;  // digits 0..4 are "normal"

network net;
float scores[example_model::max_scored_images];

void load(std::size_t i, float* x)
{
    constexpr float scale = 1.0f / data::max_pixel;
    for (std::size_t j = 0; j < data::pixel_count; ++j) x[j] = static_cast<float>(data::pixels[i][j]) * scale;
}

bool is_normal(std::size_t i) { return data::labels[i] < normal_classes; }

/// Mean binary cross-entropy of the reconstruction of image i: its anomaly score.
float score(std::size_t i)
{
    float x[data::pixel_count];
    load(i, x);
    return mp::binary_cross_entropy::value(net.forward(x).data(), x, data::pixel_count) /
           static_cast<float>(data::pixel_count);
}

}  // namespace

int main()
{
    microprop_port_init();
    console::print("anomaly: 64-16-64 tied autoencoder (sigmoid, binary cross-entropy, SGD lr=",
                   console::fixed{learning_rate, 3}, "), trained on digits 0-4 only, ", epochs,
                   " epochs; parameters ", static_cast<unsigned>(network::parameter_count), " (untied: ",
                   static_cast<unsigned>(example_model::untied_network::parameter_count), "), network ",
                   network::bytes, " B (untied: ", example_model::untied_network::bytes, " B), trainer ",
                   sizeof(trainer), " B\n");
    net.initialize(seed);
    trainer tr(net, mp::sgd{learning_rate});
    mp::random_generator rng(seed);
    mp::epoch_order order(data::train_count);
    float x[data::pixel_count];
    example::training_clock clock;
    std::uint32_t trained = 0;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        order.reshuffle(rng);
        float loss = 0.0f;
        std::uint32_t seen = 0;
        for (std::uint32_t k = 0; k < data::train_count; ++k) {
            const std::size_t i = data::train_index[order[k]];
            if (!is_normal(i)) continue;
            load(i, x);
            clock.start();
            const mp::status step = tr.train_sample(x, x);
            clock.stop(1);
            if (step != mp::status::ok) {
                console::print("training failed at epoch ", epoch, "\n");
                microprop_port_exit(1);
            }
            loss += tr.last_loss();
            ++seen;
        }
        trained = seen;
        console::print("epoch ", epoch, " loss=", console::sci{loss / static_cast<float>(seen), 4}, "\n");
    }

    // Threshold: the 95th percentile of the training images' scores (a bisection on the
    // count above it, so no sort buffer is needed).
    float low = 0.0f, high = 0.0f;
    for (std::uint32_t k = 0; k < data::train_count; ++k) {
        const std::size_t i = data::train_index[k];
        if (!is_normal(i)) continue;
        const float s = score(i);
        high = s > high ? s : high;
    }
    for (int step = 0; step < 24; ++step) {
        const float mid = 0.5f * (low + high);
        std::uint32_t above = 0;
        for (std::uint32_t k = 0; k < data::train_count; ++k) {
            const std::size_t i = data::train_index[k];
            above += is_normal(i) && score(i) > mid ? 1u : 0u;
        }
        (above * 20u > trained ? low : high) = mid;
    }
    const float threshold = high;

    // Scores of every test image; the ROC area is the probability that a novel image
    // scores above a normal one (ties count one half).
    std::size_t normal = 0, novel = 0, detected = 0, false_alarms = 0;
    for (std::uint32_t k = 0; k < data::test_count && k < example_model::max_scored_images; ++k) {
        const std::size_t i = data::test_index[k];
        scores[k] = score(i);
        const bool flagged = scores[k] > threshold;
        if (is_normal(i)) {
            ++normal;
            false_alarms += flagged ? 1u : 0u;
        } else {
            ++novel;
            detected += flagged ? 1u : 0u;
        }
    }
    double pairs_won = 0.0;
    for (std::uint32_t a = 0; a < data::test_count && a < example_model::max_scored_images; ++a) {
        if (is_normal(data::test_index[a])) continue;
        for (std::uint32_t b = 0; b < data::test_count && b < example_model::max_scored_images; ++b) {
            if (!is_normal(data::test_index[b])) continue;
            pairs_won += scores[a] > scores[b] ? 1.0 : (scores[a] == scores[b] ? 0.5 : 0.0);
        }
    }
    const double auc = pairs_won / (static_cast<double>(normal) * static_cast<double>(novel));
    // Host only: $MICROPROP_FIGURES/anomaly_roc.svg.
    example::write_roc<example_model::max_scored_images>(
        "anomaly_roc", "anomaly: novel digits 5-9 against normal 0-4 (test images)", scores,
        data::test_count < example_model::max_scored_images ? data::test_count : example_model::max_scored_images,
        [](std::size_t k) { return !is_normal(data::test_index[k]); });
    console::print("test images: ", static_cast<unsigned>(normal), " normal (0-4), ", static_cast<unsigned>(novel),
                   " novel (5-9); threshold ", console::sci{threshold, 4},
                   " (95th percentile of the training scores)\n");
    console::print("training took ", console::fixed{clock.seconds(), 3}, " s by the port's counter\n");
    console::print("result: auc=", console::fixed{auc, 4},
                   " detected=", console::fixed{static_cast<double>(detected) / static_cast<double>(novel), 4},
                   " false_alarms=", console::fixed{static_cast<double>(false_alarms) / static_cast<double>(normal), 4},
                   " us_per_sample=", console::fixed{clock.microseconds_per_sample(), 3}, "\n");
    microprop_port_exit(0);
}
