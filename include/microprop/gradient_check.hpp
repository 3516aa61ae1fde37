// Finite-difference gradient check (DL 4.4.3), for users' own networks.
#ifndef MICROPROP_GRADIENT_CHECK_HPP
#define MICROPROP_GRADIENT_CHECK_HPP

#include <array>
#include <cstddef>
#include <type_traits>

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
    T max_relative_error = T(0);  ///< |analytic - numeric| / max(|analytic|, |numeric|, floor)
    /// Largest |analytic - numeric| over all parameters.
    T max_absolute_error = T(0);
    std::size_t parameter_index = 0;  ///< where max_relative_error occurred (parameter order)
    std::size_t layer = 0;            ///< the dense layer holding that parameter
    T analytic = T(0);                ///< backprop's value there
    T numeric = T(0);                 ///< the central difference there
};

/// The loss E(x, d) of the network as it is now (one forward pass). Unchecked: x and d must
/// point at input_size and output_size values.
template <class Loss, class Network>
typename Network::scalar evaluate_loss_unchecked(Network& net, const typename Network::scalar* x,
                                       const typename Network::scalar* d)
{
    const auto y = net.forward_unchecked(x);
    return Loss::value(y.data(), d, Network::output_size);
}

/// Compares backprop's dE/dtheta for sample (x, d) with central differences
/// (E(w + eps) - E(w - eps)) / 2 eps with eps = sqrt(machine epsilon) * |w|
/// (DL 4.4.3), for every parameter. The guard for w == 0 is widened to
/// |w| < 1 (eps = sqrt(machine epsilon) there): a step proportional to a tiny
/// weight would be drowned by rounding in E.
///
/// `gradient_scratch` must hold Network::parameter_count values. The relative
/// error uses `floor` as the smallest denominator, so parameters whose
/// gradient is (nearly) zero do not report noise as error. Every parameter is
/// restored bit for bit before returning. Unchecked: x and d must point at input_size and
/// output_size values (the checked forms below take arrays or spans).
template <class Loss, class Network>
gradient_check_result<typename Network::scalar> check_gradient_unchecked(
    Network& net, const typename Network::scalar* x, const typename Network::scalar* d,
    span<typename Network::scalar> gradient_scratch,
    typename Network::scalar floor = scalar_ops<typename Network::scalar>::sqrt(
        scalar_ops<typename Network::scalar>::epsilon()))
{
    static_assert(std::is_floating_point<typename Network::scalar>::value, "The finite-difference gradient check needs a floating-point network (a q3_12 step of 1/4096 is far too coarse).");
    using T = typename Network::scalar;
    using ops = scalar_ops<T>;
    gradient_check_result<T> result;
    MICROPROP_CHECK(gradient_scratch.size() >= Network::parameter_count, "gradient scratch too small");
    trainer<Network, Loss, sgd> backprop(net);
    result.outcome = backprop.compute_gradient_unchecked(x, d, gradient_scratch.data());
    if (result.outcome != status::ok) return result;

    const T root_eps = ops::sqrt(ops::epsilon());
    span<T> theta = net.parameters();
    for (std::size_t p = 0; p < Network::parameter_count; ++p) {
        const T original = theta[p];
        const T magnitude = ops::abs(original);
        const T step = root_eps * (magnitude > T(1) ? magnitude : T(1));
        const T up = original + step;
        const T down = original - step;
        theta[p] = up;
        const T loss_up = evaluate_loss_unchecked<Loss>(net, x, d);
        theta[p] = down;
        const T loss_down = evaluate_loss_unchecked<Loss>(net, x, d);
        theta[p] = original;
        const T numeric = (loss_up - loss_down) / (up - down);
        const T analytic = gradient_scratch[p];
        const T error = ops::abs(analytic - numeric);
        T scale = ops::abs(analytic) > ops::abs(numeric) ? ops::abs(analytic) : ops::abs(numeric);
        scale = scale > floor ? scale : floor;
        const T relative = error / scale;
        if (!(relative <= result.max_relative_error) || p == 0) {
            result.max_relative_error = relative;
            result.parameter_index = p;
            result.analytic = analytic;
            result.numeric = numeric;
        }
        result.max_absolute_error = error > result.max_absolute_error ? error : result.max_absolute_error;
    }
    for (std::size_t l = 0; l < Network::layer_count; ++l) {
        // A tied layer owns only its biases (its weights are reported as its source's).
        const layer_info& layer = Network::layers[l];
        if (result.parameter_index >= (layer.transposed ? layer.bias_offset : layer.weight_offset)) result.layer = l;
    }
    net.forward_unchecked(x);
    return result;
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

/// check_gradient_unchecked() with a caller's scratch and floor, on `std::array`s or C arrays
/// of the network's widths (checked at compile time, array_length_must_match).
template <class Loss, class Network, class Input, class Target,
          detail::if_fixed<typename Network::scalar, Input, Target> = 0>
gradient_check_result<typename Network::scalar> check_gradient(
    Network& net, const Input& x, const Target& d, span<typename Network::scalar> gradient_scratch,
    typename Network::scalar floor = scalar_ops<typename Network::scalar>::sqrt(
        scalar_ops<typename Network::scalar>::epsilon()))
{
    static_assert(detail::sample_fits<Network, Input, Target>(), "");
    return check_gradient_unchecked<Loss>(net, detail::first_of(x), detail::first_of(d), gradient_scratch, floor);
}

/// check_gradient_unchecked() on spans: outcome status::size_mismatch, and nothing run, unless
/// `x.size() == input_size`, `d.size() == output_size` and the scratch holds parameter_count values.
template <class Loss, class Network>
gradient_check_result<typename Network::scalar> check_gradient(
    Network& net, span<const typename Network::scalar> x, span<const typename Network::scalar> d,
    span<typename Network::scalar> gradient_scratch,
    typename Network::scalar floor = scalar_ops<typename Network::scalar>::sqrt(
        scalar_ops<typename Network::scalar>::epsilon()))
{
    if (x.size() != Network::input_size || d.size() != Network::output_size ||
        gradient_scratch.size() < Network::parameter_count) {
        gradient_check_result<typename Network::scalar> mismatch;
        mismatch.outcome = status::size_mismatch;
        return mismatch;
    }
    return check_gradient_unchecked<Loss>(net, x.data(), d.data(), gradient_scratch, floor);
}

}  // namespace microprop

#endif
