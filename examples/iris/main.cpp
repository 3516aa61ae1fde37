// iris: a 4-16-3 softmax classifier trained on the device from data stored in
// flash (examples/data/iris_data.hpp: 150 samples as const floats, a fixed
// stratified 80/20 split). A dataset view standardises the features on the fly
// with the training split's mean and standard deviation. One progress line per
// epoch, then `result: train_acc=... test_acc=...` (goal: test accuracy >= 0.90).
// On the host, MICROPROP_FIGURES=<dir> also writes <dir>/iris_training.svg.
#include "model.hpp"

#include "../common/classifier.hpp"
#include "../data/iris_data.hpp"

namespace mp = microprop;
namespace data = microprop_data::iris;
using example_model::network;
using example_model::trainer;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

namespace {

constexpr std::uint32_t seed = 3;
constexpr mp::inverse_time_schedule schedule{0.05f, 0.1f};  // 0.05 / (1 + 0.1 (epoch - 1))
constexpr int epochs = 50;
constexpr auto statistics = mp::feature_statistics<float, data::feature_count>::from(data::feature_mean, data::feature_std);

// The float build's test accuracy with this seed, split and schedule (host and qemu-m4f);
// the fixed-point build's result line reports how far below it it lands.
constexpr double float_test_accuracy = 0.9667;

network net;

}  // namespace

int main()
{
    microprop_port_init();
    console::print("iris: 4-16-3 relu/softmax", example::fixed_point ? " in q3_12" : "",
                   ", cross-entropy, SGD lr=", console::fixed{schedule.initial, 3}, "/(1+",
                   console::fixed{schedule.decay, 2}, " epoch), ",
                   static_cast<unsigned>(data::train_count), " train / ", static_cast<unsigned>(data::test_count),
                   " test samples (in flash), ", epochs, " epochs; network ", network::bytes, " B, trainer ",
                   sizeof(trainer), " B\n");
    // Standardised in float, then (fixed-point build) rounded to q3_12 sample by sample.
    const auto samples = example::in_example_scalar(
        mp::classification_view<float, data::class_count>(data::features, data::labels).standardized(&statistics));
    net.initialize(seed);
    trainer tr(net, mp::sgd{schedule.initial});
    const char* figure = example::fixed_point ? "iris_training_q3_12" : "iris_training";
    example::train_classifier<epochs>("iris", figure, tr, samples.subset(data::train_index),
                                      samples.subset(data::test_index), schedule, seed,
                                      example::fixed_point ? float_test_accuracy : -1.0);
    microprop_port_exit(0);
}
