// Trains four small networks (float, double, q3_12, float with elastic weight consolidation) on the device and prints their blobs in hex, one line each:
//   blob layers=<layer list of examples/tools/microprop_blob.py> hex=<the blob's bytes>
// check_blob_roundtrip.cmake feeds every line to the host script, which must decode the
// blob, verify its CRC and topology hash, and re-encode it to the same bytes.
#include <microprop/fixed_point.hpp>
#include <microprop/microprop.hpp>

#include "console.hpp"
#include "train_a_little.hpp"
#include "port.h"

namespace mp = microprop;

namespace {

// Tied decoder, leaky-ReLU slope 1/8: the hash words for ties and slopes get exercised.
using tied_net = mp::network<float, mp::dense<4, 3>, mp::basic_leaky_relu<1, 8>, mp::tied<0>, mp::sigmoid>;
using tied_trainer = mp::trainer<tied_net, mp::squared_error, mp::adam>;
using double_net = mp::network<double, mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>, mp::sigmoid>;
using double_trainer = mp::trainer<double_net, mp::squared_error, mp::momentum>;
// Fixed point: i16 values, and the rounding generator's state after the momentum record.
using fixed_net = mp::network<mp::q3_12, mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>, mp::sigmoid>;
using fixed_trainer = mp::trainer<fixed_net, mp::squared_error, mp::momentum>;

// Elastic weight consolidation: optimizer kind 6, F and theta* after Adam's moments, the
// strength after Adam's record.
using consolidated_net = mp::network<float, mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>, mp::sigmoid>;
using consolidated_trainer = mp::trainer<consolidated_net, mp::squared_error, mp::consolidated<mp::adam>>;

tied_net tied;
double_net wide;
fixed_net fixed;
consolidated_net anchored;
constexpr std::size_t larger(std::size_t a, std::size_t b) { return a > b ? a : b; }
constexpr std::size_t largest_blob =
    larger(larger(mp::training_blob_bytes<tied_trainer>, mp::training_blob_bytes<double_trainer>),
           larger(mp::training_blob_bytes<fixed_trainer>, mp::training_blob_bytes<consolidated_trainer>));
std::uint8_t buffer[largest_blob];

void print_blob(const char* layers, const std::uint8_t* bytes, std::size_t n)
{
    console::print("blob layers=", layers, " hex=");
    const char digits[] = "0123456789abcdef";
    for (std::size_t k = 0; k < n; ++k) {
        const char pair[2] = {digits[bytes[k] >> 4], digits[bytes[k] & 15u]};
        microprop_port_write(pair, 2);
    }
    console::print("\n");
}

void check(mp::status s, const char* what)
{
    if (s == mp::status::ok) return;
    console::print(what, " failed: ", mp::to_string(s), "\n");
    microprop_port_exit(1);
}

}  // namespace

int main()
{
    microprop_port_init();
    tied.initialize(11);
    // Non-zero clips, so that the host script reads back the record's gradient_clip too.
    mp::adam tied_settings{0.01f};
    tied_settings.gradient_clip = 2.0f;
    tied_trainer tied_training(tied, tied_settings);
    check(blob_test::train_a_little(tied_training, 200, 2024u), "training");
    check(mp::save_parameters(tied, mp::span<std::uint8_t>(buffer), 7u), "save_parameters");
    print_blob("4x3:leaky_relu=1/8,tied0:sigmoid", buffer, mp::blob_bytes<tied_net>);
    check(mp::save_training_state(tied_training, mp::span<std::uint8_t>(buffer), 8u), "save_training_state");
    print_blob("4x3:leaky_relu=1/8,tied0:sigmoid", buffer, mp::training_blob_bytes<tied_trainer>);

    wide.initialize(12);
    double_trainer wide_training(wide, mp::momentum{0.05f, 0.9f, true, 0.0f, 1.5f});
    check(blob_test::train_a_little(wide_training, 200, 2025u), "training");
    check(mp::save_training_state(wide_training, mp::span<std::uint8_t>(buffer), 9u), "save_training_state");
    print_blob("3x4:tanh,4x2:sigmoid", buffer, mp::training_blob_bytes<double_trainer>);

    fixed.initialize(13);
    fixed_trainer fixed_training(fixed, mp::momentum{0.05f, 0.9f}, 77u);
    check(blob_test::train_a_little(fixed_training, 200, 2026u), "training");
    check(mp::save_parameters(fixed, mp::span<std::uint8_t>(buffer), 10u), "save_parameters");
    print_blob("3x4:tanh,4x2:sigmoid", buffer, mp::blob_bytes<fixed_net>);
    check(mp::save_training_state(fixed_training, mp::span<std::uint8_t>(buffer), 11u), "save_training_state");
    print_blob("3x4:tanh,4x2:sigmoid", buffer, mp::training_blob_bytes<fixed_trainer>);

    anchored.initialize(14);
    mp::consolidated<mp::adam> anchored_settings;
    anchored_settings.learning_rate = 0.01f;
    anchored_settings.strength = 3.5f;
    consolidated_trainer anchored_training(anchored, anchored_settings);
    check(blob_test::train_a_little(anchored_training, 100, 2027u), "training");
    // F and theta* as consolidate() would leave them (non-negative importances, the weights).
    for (std::size_t q = 0; q < consolidated_net::parameter_count; ++q) {
        mp::consolidation_importance(anchored_training)[q] = 0.01f * static_cast<float>(q % 7);
        mp::consolidation_anchor(anchored_training)[q] = anchored.parameters()[q];
    }
    check(blob_test::train_a_little(anchored_training, 50, 2028u), "training");
    check(mp::save_training_state(anchored_training, mp::span<std::uint8_t>(buffer), 12u), "save_training_state");
    print_blob("3x4:tanh,4x2:sigmoid", buffer, mp::training_blob_bytes<consolidated_trainer>);
    console::print("blobs printed: 6\n");
    microprop_port_exit(0);
}
