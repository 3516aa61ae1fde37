// Finite-difference gradient check (DL 4.4.3) for users' own networks, usable in float on
// the device: step cbrt(eps), the loss in double, and an error measure that knows the
// difference quotient's own uncertainty.
#ifndef MICROPROP_GRADIENT_CHECK_HPP
#define MICROPROP_GRADIENT_CHECK_HPP

#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>

#include "engine.hpp"
#include "network.hpp"
#include "scalar.hpp"
#include "size_check.hpp"
#include "span.hpp"
#include "status.hpp"
#include "trainer.hpp"

namespace microprop {

/// Outcome of check_gradient: the worst parameter and how far backprop and the
/// central difference disagree there.
template <class T>
struct gradient_check_result {
    /// ok, or why the check could not run (e.g. a non-finite input).
    status outcome = status::ok;
    /// max over the parameters of |analytic - numeric| / max(|analytic|, |numeric|, floor), with
    /// `floor` 100 times the central difference's own uncertainty there (see check_gradient):
    /// below 1e-2 means backprop agrees with the difference quotient to 1 % or to within what
    /// the quotient can resolve.
    T max_relative_error = T(0);
    /// Largest |analytic - numeric| over all parameters.
    T max_absolute_error = T(0);
    std::size_t parameter_index = 0;  ///< where max_relative_error occurred (parameter order)
    std::size_t layer = 0;            ///< the dense layer holding that parameter
    T analytic = T(0);                ///< backprop's value there
    T numeric = T(0);                 ///< the central difference there
    T uncertainty = T(0);             ///< the central difference's estimated error there
    double loss = 0.0;                ///< E(x, d) at the unperturbed parameters
};

/// The loss E(x, d) of the network as it is now (one forward pass), in T. Unchecked: x and d
/// must point at input_size and output_size values (evaluate_loss below takes arrays).
template <class Loss, class Network>
typename Network::scalar evaluate_loss_unchecked(Network& net, const typename Network::scalar* x,
                                                 const typename Network::scalar* d)
{
    const auto y = net.forward_unchecked(x);
    return Loss::value(y.data(), d, Network::output_size);
}

/// The loss E(x, d) after one forward pass in T, the loss itself evaluated in double from
/// the outputs (for the matched pairs from the output pre-activations, exact also where the
/// output saturates), so that only the forward pass's rounding remains in it. Uses
/// 2 * output_size doubles and output_size T of stack. Unchecked: x and d must point at
/// input_size and output_size values.
template <class Loss, class Network>
double evaluate_loss_in_double_unchecked(Network& net, const typename Network::scalar* x,
                                         const typename Network::scalar* d)
{
    using T = typename Network::scalar;
    constexpr std::size_t outputs = Network::output_size;
    const auto y = net.forward_unchecked(x);
    double out[outputs];
    double target[outputs];
    for (std::size_t k = 0; k < outputs; ++k) target[k] = static_cast<double>(d[k]);
    if constexpr (Loss::fused_with(Network::output_activation)) {
        const model_ref<T> m = net.view();
        T u[outputs];
        engine::output_preactivation<T, Network::has_tied_layers>(
            m, engine::layer_input(m, x, Network::layer_count - 1), 1, u);
        for (std::size_t k = 0; k < outputs; ++k) out[k] = static_cast<double>(u[k]);
        return Loss::value_from_preactivation(out, target, outputs);
    } else {
        for (std::size_t k = 0; k < outputs; ++k) out[k] = static_cast<double>(y[k]);
        return Loss::value(out, target, outputs);
    }
}

namespace detail {
/// |v| of a double without <cmath>'s overloads.
inline double magnitude(double v) { return v < 0.0 ? -v : v; }
}  // namespace detail

/// Compares `gradient` (P values, parameter order; e.g. backprop's dE/dtheta) for sample
/// (x, d) with central differences of the loss for every parameter, in a way that works in
/// float on the device (DL 4.4.3, with the step and the error measure chosen for the
/// precision at hand):
/// - step h = cbrt(eps) max(1, |w|) (float 4.9e-3, double 6.1e-6), which balances the
///   truncation error h^2 E''' / 6 against the rounding error eps |E| / h. The network runs
///   in T; the loss is evaluated in double (evaluate_loss_in_double_unchecked).
/// - n_h = (E(w + h) - E(w - h)) / 2h, and n_h/2 the same with h / 2. The quotient's
///   uncertainty is u = 2 |n_h - n_h/2| + 8 eps max(|E|, 1) / h: the first term measures
///   truncation and rounding (and a ReLU kink inside the step), the second is a floor for
///   the forward pass's rounding.
/// - relative error |g - n_h| / max(|g|, |n_h|, 100 u): a correct gradient reports below
///   1e-2 however noisy the quotient is, and a wrong entry larger than both u and 1 % of the
///   gradient reports its relative size.
/// Measured in tests/unit/test_float_gradient_check.cpp on random networks with every
/// activation and loss and tied layers (figures in the README).
///
/// 4 forward passes per parameter, plus one; 3 * output_size values of stack for the loss.
/// Every parameter is restored bit for bit before returning, and the activations hold x's
/// forward pass. outcome: ok, non_finite_input or non_finite_target (then nothing else was
/// computed). Unchecked: x and d must point at input_size and output_size values (the
/// checked forms below take arrays or spans).
template <class Loss, class Network>
gradient_check_result<typename Network::scalar> check_given_gradient_unchecked(
    Network& net, const typename Network::scalar* x, const typename Network::scalar* d,
    span<const typename Network::scalar> gradient)
{
    static_assert(std::is_floating_point<typename Network::scalar>::value, "The finite-difference gradient check needs a floating-point network (a q3_12 step of 1/4096 is far too coarse).");
    using T = typename Network::scalar;
    gradient_check_result<T> result;
    MICROPROP_CHECK(gradient.size() >= Network::parameter_count, "gradient too small");
    if (!all_finite(x, Network::input_size)) {
        result.outcome = status::non_finite_input;
        return result;
    }
    if (!all_finite(d, Network::output_size)) {
        result.outcome = status::non_finite_target;
        return result;
    }
    const double eps = static_cast<double>(scalar_ops<T>::epsilon());
    const double relative_step = std::cbrt(eps);
    result.loss = evaluate_loss_in_double_unchecked<Loss>(net, x, d);
    const double loss_scale = detail::magnitude(result.loss) > 1.0 ? detail::magnitude(result.loss) : 1.0;
    span<T> theta = net.parameters();
    // The perturbed weights are rounded to T, and the quotient is taken over their actual
    // distance; the parameter is restored after.
    auto central_difference = [&](std::size_t p, double step) {
        const T original = theta[p];
        const T up = static_cast<T>(static_cast<double>(original) + step);
        const T down = static_cast<T>(static_cast<double>(original) - step);
        theta[p] = up;
        const double loss_up = evaluate_loss_in_double_unchecked<Loss>(net, x, d);
        theta[p] = down;
        const double loss_down = evaluate_loss_in_double_unchecked<Loss>(net, x, d);
        theta[p] = original;
        return (loss_up - loss_down) / (static_cast<double>(up) - static_cast<double>(down));
    };
    double worst = -1.0;
    double worst_absolute = 0.0;
    for (std::size_t p = 0; p < Network::parameter_count; ++p) {
        const double weight = detail::magnitude(static_cast<double>(theta[p]));
        const double step = relative_step * (weight > 1.0 ? weight : 1.0);
        const double numeric = central_difference(p, step);
        const double uncertainty =
            2.0 * detail::magnitude(numeric - central_difference(p, 0.5 * step)) + 8.0 * eps * loss_scale / step;
        const double analytic = static_cast<double>(gradient[p]);
        const double error = detail::magnitude(analytic - numeric);
        double scale = detail::magnitude(analytic) > detail::magnitude(numeric) ? detail::magnitude(analytic)
                                                                               : detail::magnitude(numeric);
        scale = 100.0 * uncertainty > scale ? 100.0 * uncertainty : scale;
        const double relative = error / scale;
        // NaN compares false, so a NaN error becomes the worst one.
        if (!(relative <= worst)) {
            worst = relative;
            result.parameter_index = p;
            result.analytic = static_cast<T>(analytic);
            result.numeric = static_cast<T>(numeric);
            result.uncertainty = static_cast<T>(uncertainty);
        }
        worst_absolute = error > worst_absolute ? error : worst_absolute;
    }
    result.max_relative_error = static_cast<T>(worst);
    result.max_absolute_error = static_cast<T>(worst_absolute);
    for (std::size_t l = 0; l < Network::layer_count; ++l) {
        // A tied layer owns only its biases (its weights are reported as its source's).
        const layer_info& layer = Network::layers[l];
        if (result.parameter_index >= (layer.transposed ? layer.bias_offset : layer.weight_offset)) result.layer = l;
    }
    net.forward_unchecked(x);
    return result;
}


/// check_given_gradient_unchecked on backprop's own gradient: the check of the library's (or
/// a custom layer's) backward pass. `gradient_scratch` must hold Network::parameter_count
/// values (it receives backprop's gradient). outcome: ok, or compute_gradient's status
/// (non_finite_input, non_finite_target, input/target_out_of_range, non_finite_loss,
/// non_finite_gradient, delta_overflow), in which case nothing else was computed.
/// Unchecked: x and d must point at input_size and output_size values.
template <class Loss, class Network>
gradient_check_result<typename Network::scalar> check_gradient_unchecked(Network& net, const typename Network::scalar* x,
                                                                         const typename Network::scalar* d,
                                                                         span<typename Network::scalar> gradient_scratch)
{
    using T = typename Network::scalar;
    MICROPROP_CHECK(gradient_scratch.size() >= Network::parameter_count, "gradient scratch too small");
    trainer<Network, Loss, sgd> backprop(net);
    const status s = backprop.compute_gradient_unchecked(x, d, gradient_scratch.data());
    if (s != status::ok) {
        gradient_check_result<T> failed;
        failed.outcome = s;
        return failed;
    }
    return check_given_gradient_unchecked<Loss>(net, x, d, span<const T>(gradient_scratch.data(), Network::parameter_count));
}

/// check_gradient_unchecked with its scratch on the stack (Network::parameter_bytes of it).
template <class Loss, class Network>
gradient_check_result<typename Network::scalar> check_gradient_unchecked(Network& net,
                                                                         const typename Network::scalar* x,
                                                                         const typename Network::scalar* d)
{
    std::array<typename Network::scalar, Network::parameter_count> scratch{};
    return check_gradient_unchecked<Loss>(net, x, d, span<typename Network::scalar>(scratch));
}

/// evaluate_loss_unchecked() on `std::array`s or C arrays of the network's widths (checked at
/// compile time, array_length_must_match).
template <class Loss, class Network, class Input, class Target,
          detail::if_fixed<typename Network::scalar, Input, Target> = 0>
typename Network::scalar evaluate_loss(Network& net, const Input& x, const Target& d)
{
    static_assert(detail::sample_fits<Network, Input, Target>(), "");
    return evaluate_loss_unchecked<Loss>(net, detail::first_of(x), detail::first_of(d));
}

/// check_gradient_unchecked() (scratch on the stack) on `std::array`s or C arrays of the
/// network's widths (checked at compile time, array_length_must_match).
template <class Loss, class Network, class Input, class Target,
          detail::if_fixed<typename Network::scalar, Input, Target> = 0>
gradient_check_result<typename Network::scalar> check_gradient(Network& net, const Input& x, const Target& d)
{
    static_assert(detail::sample_fits<Network, Input, Target>(), "");
    return check_gradient_unchecked<Loss>(net, detail::first_of(x), detail::first_of(d));
}

/// check_gradient_unchecked() with a caller's scratch, on `std::array`s or C arrays of the
/// network's widths (checked at compile time, array_length_must_match).
template <class Loss, class Network, class Input, class Target,
          detail::if_fixed<typename Network::scalar, Input, Target> = 0>
gradient_check_result<typename Network::scalar> check_gradient(Network& net, const Input& x, const Target& d,
                                                               span<typename Network::scalar> gradient_scratch)
{
    static_assert(detail::sample_fits<Network, Input, Target>(), "");
    return check_gradient_unchecked<Loss>(net, detail::first_of(x), detail::first_of(d), gradient_scratch);
}

/// check_given_gradient_unchecked() on `std::array`s or C arrays of the network's widths
/// (checked at compile time, array_length_must_match); `gradient` holds parameter_count values.
template <class Loss, class Network, class Input, class Target,
          detail::if_fixed<typename Network::scalar, Input, Target> = 0>
gradient_check_result<typename Network::scalar> check_given_gradient(Network& net, const Input& x, const Target& d,
                                                                     span<const typename Network::scalar> gradient)
{
    static_assert(detail::sample_fits<Network, Input, Target>(), "");
    if (gradient.size() < Network::parameter_count) {
        gradient_check_result<typename Network::scalar> mismatch;
        mismatch.outcome = status::size_mismatch;
        return mismatch;
    }
    return check_given_gradient_unchecked<Loss>(net, detail::first_of(x), detail::first_of(d), gradient);
}

/// check_gradient_unchecked() on spans: outcome status::size_mismatch, and nothing run, unless
/// `x.size() == input_size`, `d.size() == output_size` and the scratch holds parameter_count values.
template <class Loss, class Network>
gradient_check_result<typename Network::scalar> check_gradient(Network& net, span<const typename Network::scalar> x,
                                                               span<const typename Network::scalar> d,
                                                               span<typename Network::scalar> gradient_scratch)
{
    if (x.size() != Network::input_size || d.size() != Network::output_size ||
        gradient_scratch.size() < Network::parameter_count) {
        gradient_check_result<typename Network::scalar> mismatch;
        mismatch.outcome = status::size_mismatch;
        return mismatch;
    }
    return check_gradient_unchecked<Loss>(net, x.data(), d.data(), gradient_scratch);
}

}  // namespace microprop

#endif
