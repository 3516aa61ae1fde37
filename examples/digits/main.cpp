// digits: a 64-32-10 classifier of 8x8 handwritten digits, trained on the
// device. The 1797 images stay in flash, pixels 0..16 (examples/data/digits_data.hpp)
// packed five bits each (examples/common/packed_pixels.hpp), and a view decodes them
// to 0..1 one sample at a time; RAM holds only the network, the trainer and one input vector.
// One progress line per epoch (loss and accuracy on the training samples as they
// were seen, test accuracy), then `result: train_acc=... test_acc=...`
// (goal: test >= 0.95). On the host, MICROPROP_FIGURES=<dir> also writes
// <dir>/digits_training.svg.
#include "model.hpp"

#include "../common/classifier.hpp"
#include "../common/packed_pixels.hpp"
#include "../data/digits_data.hpp"

namespace mp = microprop;
namespace data = microprop_data::digits;
using example_model::network;
using example_model::trainer;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

namespace {

constexpr std::uint32_t seed = 5;
constexpr mp::inverse_time_schedule schedule{0.1f, 0.5f};  // 0.1 / (1 + 0.5 (epoch - 1))
constexpr int epochs = 20;
// The q3_12 build adds L2 weight decay: without it (or with 0.002) its hidden sums and logits
// reach the q3_12 limit of 8 within two or three epochs, where the clamped softmax no longer
// stops the growth of the weights, and accuracy collapses to chance (README "Fixed point").
constexpr float weight_decay = example::fixed_point ? 0.005f : 0.0f;
constexpr float pixel_scale = 1.0f / data::max_pixel;  // pixels 0..16 -> 0..1
// The images five bits a pixel (72 KB of flash instead of 115 KB: the STM32F100 has 128 KB),
// packed by the compiler; decoded exactly, so every build sees the same values as from bytes.
constexpr auto packed_images = example::pack_five_bits(data::pixels);

// The float build's test accuracy with this seed, split and schedule (host and qemu-m4f);
// the fixed-point build's result line reports how far below it it lands.
constexpr double float_test_accuracy = 0.9694;

network net;

}  // namespace

int main()
{
    microprop_port_init();
    console::print("digits: 64-32-10 relu/softmax", example::fixed_point ? " in q3_12" : "",
                   ", cross-entropy, SGD lr=", console::fixed{schedule.initial, 3}, "/(1+",
                   console::fixed{schedule.decay, 2}, " epoch)");
    if (weight_decay > 0.0f) console::print(" weight decay ", console::fixed{weight_decay, 3});
    console::print(", ",
                   static_cast<unsigned>(data::train_count), " train / ", static_cast<unsigned>(data::test_count),
                   " test images (in flash), ", epochs, " epochs; network ", network::bytes, " B, trainer ",
                   sizeof(trainer), " B\n");
    // Decoded to 0..1 in float, then (fixed-point build) rounded to q3_12 image by image.
    const auto images = example::in_example_scalar(
        example::packed_classification_view<data::class_count, data::sample_count, data::pixel_count>(
            packed_images, data::labels, pixel_scale));
    net.initialize(seed);
    trainer tr(net, mp::sgd{schedule.initial, weight_decay});
    const char* figure = example::fixed_point ? "digits_training_q3_12" : "digits_training";
    example::train_classifier<epochs>("digits", figure, tr, images.subset(data::train_index),
                                      images.subset(data::test_index), schedule, seed,
                                      example::fixed_point ? float_test_accuracy : -1.0);
    microprop_port_exit(0);
}
