// pruning: trains the iris (4-16-3) and digits (64-32-10) classifiers on the device, then
// removes 25%, 50% and 75% of their weights by magnitude, by Optimal Brain Damage (diagonal
// Hessian) and by Optimal Brain Surgeon (inverse Hessian, with its correction of the other
// weights: for iris the full P x P inverse, for digits the layer-wise form, one
// (inputs+1)^2 inverse per layer), and prints the test accuracy right after pruning and
// after retraining with the pruned weights held at zero (include/microprop/pruning.hpp).
// Digits runs where the core has an FPU (and on the host): in soft float its 22 epochs
// would take minutes of QEMU.
// Ends with `result: iris_magnitude_half=... iris_obd_half=... iris_obs_half=...
// iris_obs_retrained_three_quarters=...` and, with digits, `digits_magnitude_half=...
// digits_obd_half=... digits_obs_half=...` (test accuracies after pruning half the weights).
#include "model.hpp"

#include <new>

#include "../common/classifier.hpp"
#include "../data/digits_data.hpp"
#include "../data/iris_data.hpp"

namespace mp = microprop;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

namespace {

enum class method { magnitude, obd, obs };
const char* name(method m) { return m == method::magnitude ? "magnitude" : m == method::obd ? "obd" : "obs"; }
constexpr int percents[3] = {25, 50, 75};

/// Trains `net` for `epochs` per-sample SGD epochs, applying `mask` after every step.
template <class Trainer, class View>
void train(Trainer& tr, const View& train_set, const mp::pruning_mask<typename Trainer::network_type>& mask, int epochs,
           float learning_rate, mp::random_generator& rng)
{
    using net_t = typename Trainer::network_type;
    mp::epoch_order order(static_cast<std::uint32_t>(train_set.size()));
    std::array<float, net_t::input_size> x{};
    std::array<float, net_t::output_size> d{};
    for (int e = 0; e < epochs; ++e) {
        tr.optimizer().learning_rate = learning_rate / (1.0f + 0.5f * static_cast<float>(e));
        order.reshuffle(rng);
        for (std::uint32_t k = 0; k < order.size(); ++k) {
            train_set.load(order[k], x);
            train_set.target(order[k], d);
            const mp::status s = tr.train_sample(x, d);
            if (s != mp::status::ok) {
                console::print("training failed: ", mp::to_string(s), "\n");
                microprop_port_exit(1);
            }
            mask.apply(tr.network());
        }
    }
}

/// Sums the diagonal Hessian of the cross-entropy over `train_set` into `diagonal`.
template <class Network, class View>
void hessian_diagonal_over(Network& net, const View& train_set, float* diagonal, float* scratch, std::size_t scratch_count)
{
    for (std::size_t q = 0; q < Network::parameter_count; ++q) diagonal[q] = 0.0f;
    std::array<float, Network::input_size> x{};
    std::array<float, Network::output_size> d{};
    for (std::size_t k = 0; k < train_set.size(); ++k) {
        train_set.load(k, x);
        train_set.target(k, d);
        const mp::status s = mp::hessian_diagonal<mp::cross_entropy>(
            net, x, d, mp::span<float>(diagonal, Network::parameter_count), mp::span<float>(scratch, scratch_count));
        if (s != mp::status::ok) microprop_port_exit(1);
    }
}

example_model::second_order_storage second_order;  // iris's H^-1, then digits' layer-wise OBS

namespace iris {
namespace data = microprop_data::iris;
float (&h_inverse)[example_model::iris_h_inverse_count] = second_order.iris_h_inverse;
using net_t = example_model::iris_network;
constexpr auto statistics = mp::feature_statistics<float, data::feature_count>::from(data::feature_mean, data::feature_std);
net_t trained;
net_t net;
float saliency[net_t::parameter_count];
float diagonal[net_t::parameter_count];
float scratch[2 * net_t::parameter_count + 2 * net_t::max_width + net_t::output_size * net_t::output_size];
}  // namespace iris

// Soft float would take minutes of QEMU time for digits' 22 epochs: cores with an FPU only.
#if !defined(__arm__) || defined(__ARM_FP)
constexpr bool digits_enabled = true;
#else
constexpr bool digits_enabled = false;
#endif

namespace digits {
namespace data = microprop_data::digits;
using net_t = example_model::digits_network;
constexpr float pixel_scale = 1.0f / data::max_pixel;  // pixels 0..16 -> 0..1
constexpr float pixel_offset = 0.0f;
net_t trained;
net_t net;
float saliency[net_t::parameter_count];
float diagonal[net_t::parameter_count];
float scratch[4 * net_t::max_width + net_t::output_size * net_t::output_size];
// H = (1/N) sum [y 1][y 1]^T + damping I per layer: the damping keeps H invertible over the
// pixels that are zero in every image (their weights then get the lowest saliency).
constexpr float obs_damping = 1e-3f;

/// Accuracies after pruning half the weights: magnitude, OBD, layer-wise OBS.
void run(double (&at_half)[3])
{
    const auto images = mp::classification_view<float, data::class_count>(data::pixels, data::labels)
                            .with_coding(pixel_scale, pixel_offset);
    const auto train_set = images.subset(data::train_index);
    const auto test_set = images.subset(data::test_index);
    mp::random_generator rng(5);
    static example_model::digits_trainer tr(trained, mp::sgd{0.1f});
    trained.initialize(5);
    train(tr, train_set, mp::pruning_mask<net_t>{}, 10, 0.1f, rng);
    console::print("digits 64-32-10: ", static_cast<unsigned>(mp::pruning_mask<net_t>::weight_count),
                   " weights, test accuracy ", console::fixed{mp::accuracy(trained, test_set), 4},
                   " before pruning; layer-wise OBS inverses ",
                   static_cast<unsigned>(mp::layerwise_obs<net_t>::hessian_count * sizeof(float)), " B (full OBS: ",
                   static_cast<unsigned>(net_t::parameter_count * net_t::parameter_count * sizeof(float) / 1000000), " MB)\n");
    // Iris is done with the shared buffer: it becomes digits' layer-wise OBS object.
    mp::layerwise_obs<net_t>& obs = *new (&second_order.digits_obs) mp::layerwise_obs<net_t>;
    obs.reset();
    {
        std::array<float, net_t::input_size> x{};
        for (std::size_t k = 0; k < train_set.size(); ++k) {
            train_set.load(k, x);
            if (obs.accumulate(trained, mp::span<const float>(x)) != mp::status::ok) microprop_port_exit(1);
        }
        const mp::status s = obs.invert(obs_damping);
        if (s != mp::status::ok) {
            console::print("layer-wise OBS: ", mp::to_string(s), "\n");
            microprop_port_exit(1);
        }
    }
    for (method m : {method::magnitude, method::obd, method::obs}) {
        console::print("  ", name(m), ":");
        for (int percent : percents) {
            net = trained;
            mp::pruning_mask<net_t> mask;
            const std::size_t count = mp::pruning_mask<net_t>::weight_count * static_cast<std::size_t>(percent) / 100;
            if (m == method::obs) {
                // Conditioned, budget chosen across both layers: the better of the variants
                // measured (pruning.hpp's header comment).
                const mp::status s = obs.prune(net, mask, count);
                if (s != mp::status::ok) {
                    console::print("layer-wise OBS: ", mp::to_string(s), "\n");
                    microprop_port_exit(1);
                }
            } else {
                if (m == method::magnitude) {
                    mp::magnitude_saliency(net, mp::span<float>(saliency));
                } else {
                    hessian_diagonal_over(net, train_set, diagonal, scratch, sizeof scratch / sizeof(float));
                    mp::obd_saliency(net, mp::span<const float>(diagonal), mp::span<float>(saliency));
                }
                (void)mp::prune_lowest(net, mask, mp::span<const float>(saliency), count);
            }
            const double pruned = mp::accuracy(net, test_set);
            example_model::digits_trainer retrainer(net, mp::sgd{0.02f});
            train(retrainer, train_set, mask, 2, 0.02f, rng);
            const double retrained = mp::accuracy(net, test_set);
            console::print(" ", percent, "%: ", console::fixed{pruned, 4}, " -> ", console::fixed{retrained, 4});
            if (percent == 50) at_half[static_cast<int>(m)] = pruned;
        }
        console::print("  (test accuracy after pruning -> after 2 epochs of retraining)\n");
    }
}
}  // namespace digits

}  // namespace

int main()
{
    microprop_port_init();
    using iris::net_t;
    const auto samples = mp::classification_view<float, iris::data::class_count>(iris::data::features, iris::data::labels)
                             .standardized(&iris::statistics);
    const auto train_set = samples.subset(iris::data::train_index);
    const auto test_set = samples.subset(iris::data::test_index);
    mp::random_generator rng(3);
    static example_model::iris_trainer tr(iris::trained, mp::sgd{0.05f});
    iris::trained.initialize(3);
    train(tr, train_set, mp::pruning_mask<net_t>{}, 50, 0.05f, rng);
    console::print("iris 4-16-3: ", static_cast<unsigned>(mp::pruning_mask<net_t>::weight_count), " weights, test accuracy ",
                   console::fixed{mp::accuracy(iris::trained, test_set), 4}, " before pruning; OBS inverse Hessian ",
                   static_cast<unsigned>(sizeof iris::h_inverse), " B\n");
    double iris_at_half[3] = {};
    double iris_retrained_75 = 0.0;
    for (method m : {method::magnitude, method::obd, method::obs}) {
        console::print("  ", name(m), ":");
        for (int percent : percents) {
            iris::net = iris::trained;
            mp::pruning_mask<net_t> mask;
            const std::size_t count = mp::pruning_mask<net_t>::weight_count * static_cast<std::size_t>(percent) / 100;
            if (m == method::magnitude) {
                mp::magnitude_saliency(iris::net, mp::span<float>(iris::saliency));
                (void)mp::prune_lowest(iris::net, mask, mp::span<const float>(iris::saliency), count);
            } else if (m == method::obd) {
                hessian_diagonal_over(iris::net, train_set, iris::diagonal, iris::scratch, sizeof iris::scratch / sizeof(float));
                mp::obd_saliency(iris::net, mp::span<const float>(iris::diagonal), mp::span<float>(iris::saliency));
                (void)mp::prune_lowest(iris::net, mask, mp::span<const float>(iris::saliency), count);
            } else {
                // H^-1 = (alpha I + G)^-1, G the cross-entropy's Gauss-Newton matrix, by Woodbury
                // updates (PRML 5.89), alpha = 1e-3.
                mp::set_scaled_identity(mp::span<float>(iris::h_inverse), net_t::parameter_count, 1e3f);
                std::array<float, net_t::input_size> x{};
                std::array<float, net_t::output_size> d{};
                for (std::size_t k = 0; k < train_set.size(); ++k) {
                    train_set.load(k, x);
                    train_set.target(k, d);
                    if (mp::sequential_inverse_hessian<mp::cross_entropy>(iris::net, x, d,
                                                                          mp::span<float>(iris::h_inverse),
                                                                          mp::span<float>(iris::scratch)) != mp::status::ok) {
                        microprop_port_exit(1);
                    }
                }
                if (mp::prune_optimal_brain_surgeon(iris::net, mask, mp::span<float>(iris::h_inverse), count) != mp::status::ok) {
                    console::print("OBS failed\n");
                    microprop_port_exit(1);
                }
            }
            const double pruned = mp::accuracy(iris::net, test_set);
            example_model::iris_trainer retrainer(iris::net, mp::sgd{0.02f});
            train(retrainer, train_set, mask, 10, 0.02f, rng);
            const double retrained = mp::accuracy(iris::net, test_set);
            console::print(" ", percent, "%: ", console::fixed{pruned, 4}, " -> ", console::fixed{retrained, 4});
            if (percent == 50) iris_at_half[static_cast<int>(m)] = pruned;
            if (percent == 75 && m == method::obs) iris_retrained_75 = retrained;
        }
        console::print("  (test accuracy after pruning -> after 10 epochs of retraining)\n");
    }
    double digits_at_half[3] = {};
    if (digits_enabled) {
        digits::run(digits_at_half);
    } else {
        console::print("digits: skipped on a core without an FPU\n");
    }
    console::print("result: iris_magnitude_half=", console::fixed{iris_at_half[0], 4}, " iris_obd_half=",
                   console::fixed{iris_at_half[1], 4}, " iris_obs_half=", console::fixed{iris_at_half[2], 4},
                   " iris_obs_retrained_three_quarters=", console::fixed{iris_retrained_75, 4});
    if (digits_enabled) {
        console::print(" digits_magnitude_half=", console::fixed{digits_at_half[0], 4}, " digits_obd_half=",
                       console::fixed{digits_at_half[1], 4}, " digits_obs_half=", console::fixed{digits_at_half[2], 4});
    }
    console::print("\n");
    microprop_port_exit(0);
}
