// continual: learning without forgetting on the device. A 64-32-10 digits classifier
// learns digits 0-4 (task A), then only digits 5-9 (task B). Plain SGD forgets task A
// (catastrophic forgetting: nothing in task B's gradient keeps the old weights); elastic
// weight consolidation (consolidation.hpp) first stores each parameter's importance F (the
// mean diagonal Gauss-Newton matrix of task A's data) and then trains task B on
// E_B + (lambda / 2) sum_i F_i (theta_i - theta*_A,i)^2.
// Prints the test accuracy on both halves after task A, and after task B without and with
// consolidation, then
//   result: a_after_a=... a_plain=... b_plain=... a_ewc=... b_ewc=...
// (a_/b_: test accuracy on digits 0-4 / 5-9 over all ten classes).
#include "model.hpp"

#include <array>
#include <cstdint>

#include "../data/digits_data.hpp"
#include "console.hpp"
#include "port.h"

namespace mp = microprop;
namespace data = microprop_data::digits;
using example_model::network;
using example_model::trainer;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

namespace {

constexpr std::uint32_t seed = 5;
constexpr float learning_rate = 0.05f;
constexpr int epochs_a = 5;
constexpr int epochs_b = 5;
// lambda is chosen from F: each SGD step multiplies theta_i - theta*_i by 1 - lr lambda F_i, so
// lr lambda max F must stay below 2; lr lambda max F = 1 holds the most important weight as
// firmly as a stable step can.
constexpr float stiffness = 1.0f;  // lr lambda max F
constexpr float pixel_scale = 1.0f / data::max_pixel;
constexpr float pixel_offset = 0.0f;

/// Rows of `index` whose digit is 5-9 (`upper`) or 0-4: counted, then listed, at compile time.
template <std::size_t N>
constexpr std::size_t count_half(const std::uint16_t (&index)[N], bool upper)
{
    std::size_t count = 0;
    for (std::size_t i = 0; i < N; ++i) count += (data::labels[index[i]] >= 5) == upper ? 1 : 0;
    return count;
}
template <std::size_t Count, std::size_t N>
constexpr std::array<std::uint16_t, Count> half(const std::uint16_t (&index)[N], bool upper)
{
    std::array<std::uint16_t, Count> rows{};
    std::size_t k = 0;
    for (std::size_t i = 0; i < N; ++i) {
        if ((data::labels[index[i]] >= 5) == upper) rows[k++] = index[i];
    }
    return rows;
}
constexpr std::size_t train_a_count = count_half(data::train_index, false);
constexpr std::size_t train_b_count = count_half(data::train_index, true);
constexpr std::size_t test_a_count = count_half(data::test_index, false);
constexpr std::size_t test_b_count = count_half(data::test_index, true);
constexpr auto train_a_rows = half<train_a_count>(data::train_index, false);
constexpr auto train_b_rows = half<train_b_count>(data::train_index, true);
constexpr auto test_a_rows = half<test_a_count>(data::test_index, false);
constexpr auto test_b_rows = half<test_b_count>(data::test_index, true);

network net;
network after_a;
float consolidation_scratch[mp::consolidation_scratch_size<network>];
// Task A's training samples, decoded once for consolidate() (which reads them as arrays).
constexpr std::size_t importance_samples = 200;
float xs[importance_samples][network::input_size];
float ds[importance_samples][network::output_size];

template <class View>
void train(trainer& tr, const View& task, int epochs, mp::random_generator& rng)
{
    mp::epoch_order order(static_cast<std::uint32_t>(task.size()));
    for (int epoch = 0; epoch < epochs; ++epoch) {
        order.reshuffle(rng);
        const auto summary = mp::train_epoch(tr, task, order);
        if (summary.result != mp::status::ok) {
            console::print("training failed: ", mp::to_string(summary.result), "\n");
            microprop_port_exit(1);
        }
    }
}

}  // namespace

int main()
{
    microprop_port_init();
    const auto images = mp::classification_view<float, data::class_count>(data::pixels, data::labels)
                            .with_coding(pixel_scale, pixel_offset);
    const auto train_a = images.subset(mp::index_list(train_a_rows.data(), train_a_rows.size()));
    const auto train_b = images.subset(mp::index_list(train_b_rows.data(), train_b_rows.size()));
    const auto test_a = images.subset(mp::index_list(test_a_rows.data(), test_a_rows.size()));
    const auto test_b = images.subset(mp::index_list(test_b_rows.data(), test_b_rows.size()));
    console::print("continual: 64-32-10 relu/softmax, SGD lr=", console::fixed{learning_rate, 3}, "; task A = digits 0-4 (",
                   static_cast<unsigned>(train_a.size()), " train / ", static_cast<unsigned>(test_a.size()),
                   " test), task B = digits 5-9 (", static_cast<unsigned>(train_b.size()), " / ",
                   static_cast<unsigned>(test_b.size()), "), ", epochs_a, " + ", epochs_b,
                   " epochs; consolidation state ", mp::consolidation_bytes<network>, " B\n");

    net.initialize(seed);
    mp::consolidated<mp::sgd> settings;
    settings.learning_rate = learning_rate;
    settings.strength = 0.0f;
    trainer tr(net, settings);
    mp::random_generator rng(seed);
    train(tr, train_a, epochs_a, rng);
    const double a_after_a = mp::accuracy(net, test_a);
    console::print("after task A:            test 0-4 ", console::fixed{a_after_a, 4}, ", test 5-9 ",
                   console::fixed{mp::accuracy(net, test_b), 4}, "\n");

    for (std::size_t n = 0; n < importance_samples; ++n) {
        train_a.load(n, xs[n]);
        train_a.target(n, ds[n]);
    }
    const mp::status consolidated =
        mp::consolidate(tr, &xs[0][0], &ds[0][0], importance_samples, mp::span<float>(consolidation_scratch));
    if (consolidated != mp::status::ok) {
        console::print("consolidate failed: ", mp::to_string(consolidated), "\n");
        microprop_port_exit(1);
    }
    after_a = net;
    float largest_importance = 0.0f;
    for (const float f : mp::consolidation_importance(tr)) largest_importance = f > largest_importance ? f : largest_importance;
    const float strength = stiffness / (learning_rate * largest_importance);
    console::print("consolidated on ", static_cast<unsigned>(importance_samples), " task A samples: largest F ",
                   console::sci{largest_importance, 3}, ", lambda = ", console::fixed{stiffness, 2},
                   " / (lr max F) = ", console::fixed{strength, 1}, "\n");

    mp::random_generator rng_b = rng;  // both task-B runs see the samples in the same order
    train(tr, train_b, epochs_b, rng_b);  // strength 0: plain SGD
    const double a_plain = mp::accuracy(net, test_a);
    const double b_plain = mp::accuracy(net, test_b);
    console::print("after task B, plain SGD: test 0-4 ", console::fixed{a_plain, 4}, ", test 5-9 ",
                   console::fixed{b_plain, 4}, "\n");

    net = after_a;
    tr.optimizer().strength = strength;
    rng_b = rng;
    train(tr, train_b, epochs_b, rng_b);
    const double a_ewc = mp::accuracy(net, test_a);
    const double b_ewc = mp::accuracy(net, test_b);
    console::print("after task B, EWC:       test 0-4 ",
                   console::fixed{a_ewc, 4}, ", test 5-9 ", console::fixed{b_ewc, 4}, "\n");
    console::print("result: a_after_a=", console::fixed{a_after_a, 4}, " a_plain=", console::fixed{a_plain, 4},
                   " b_plain=", console::fixed{b_plain, 4}, " a_ewc=", console::fixed{a_ewc, 4},
                   " b_ewc=", console::fixed{b_ewc, 4}, "\n");
    microprop_port_exit(0);
}
