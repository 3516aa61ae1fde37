// Exact Hessian-vector products by the R-operator (PRML 5.4.6, Pearlmutter 1994), the
// exact Hessian of a network of any depth built from them, and a central-difference
// Hessian that checks both, as check_gradient checks backprop.
//
// R{.} = d/dr (.)(theta + r v) at r = 0. Applied to the forward pass, the backward pass
// and dE/dtheta it gives H v at the cost of about three gradients, without forming H
// (include/microprop/theory.md, section 5, "Exact Hessian-vector products"). Every activation, loss and
// tied layer the Hessians of hessian.hpp support is covered; a tied layer's shared matrix
// gets the R{gradient} of both of its uses, as backprop gives it both gradients.
#ifndef MICROPROP_HESSIAN_VECTOR_HPP
#define MICROPROP_HESSIAN_VECTOR_HPP

#include <cstddef>
#include <type_traits>
#include <utility>

#include "engine.hpp"
#include "hessian.hpp"
#include "layers/activations.hpp"
#include "losses.hpp"
#include "network.hpp"
#include "scalar.hpp"
#include "span.hpp"
#include "status.hpp"

namespace microprop {

namespace detail {
/// Scratch of one R-operator pass: R{a} and R{z} of every layer (2 * activation_count),
/// delta and R{delta} of two adjacent layers (4 * max_width) and the output curvature M.
template <class Network>
constexpr std::size_t r_operator_scratch_size =
    2 * Network::activation_count + 4 * Network::max_width + Network::output_size * Network::output_size;
}  // namespace detail

/// Scratch values hessian_vector_product needs: one R-operator pass and the product (P).
template <class Network>
constexpr std::size_t hessian_vector_scratch_size =
    Network::parameter_count + detail::r_operator_scratch_size<Network>;

/// Scratch values exact_hessian needs: one R-operator pass, one row of H and the unit
/// vector (2 P).
template <class Network>
constexpr std::size_t exact_hessian_scratch_size =
    2 * Network::parameter_count + detail::r_operator_scratch_size<Network>;

/// Scratch values central_difference_hessian and check_hessian need: three P-vectors,
/// two layers' deltas and one R-operator pass.
template <class Network>
constexpr std::size_t hessian_check_scratch_size =
    3 * Network::parameter_count + 2 * Network::max_width + detail::r_operator_scratch_size<Network>;

namespace detail {

/// Place of W(j, i) of `layer` in a parameter-shaped vector (a tied layer reads its
/// source's matrix, transposed).
inline std::size_t weight_index(const layer_info& layer, std::size_t j, std::size_t i)
{
    return layer.weight_offset + (layer.transposed ? i * layer.outputs + j : j * layer.inputs + i);
}

/// What every function here checks before it touches anything: the network's scalar and
/// loss at compile time; the sizes of x and d (MICROPROP_CHECK); x, d and the parameters
/// finite (non_finite_input / non_finite_target / non_finite_parameter). Runs the forward
/// pass on x when they pass.
template <class Loss, class Network>
status start_hessian(Network& net, span<const typename Network::scalar> x, span<const typename Network::scalar> d)
{
    static_assert(std::is_floating_point<typename Network::scalar>::value, "Hessians need a floating-point network: train a fixed-point one, then dequantize() it into a float network.");
    static_assert(hessian_support_check<Loss, Network::output_activation>::value, "");
    MICROPROP_CHECK(x.size() == Network::input_size, "x must hold input_size values");
    MICROPROP_CHECK(d.size() == Network::output_size, "d must hold output_size values");
    if (!all_finite(x.data(), Network::input_size)) return status::non_finite_input;
    if (!all_finite(d.data(), Network::output_size)) return status::non_finite_target;
    if (!all_finite(net.parameters().data(), Network::parameter_count)) return status::non_finite_parameter;
    engine::forward<typename Network::scalar, Network::has_tied_layers>(net.view(), x.data());
    return status::ok;
}

/// Writes H v into `hv` (P values) by the R-operator. Needs net's forward pass on x and
/// detail::r_operator_scratch_size<Network> values of scratch; checks nothing.
template <class Loss, class Network>
void r_operator_product(Network& net, const typename Network::scalar* x, const typename Network::scalar* d,
                        const typename Network::scalar* v, typename Network::scalar* hv,
                        typename Network::scalar* scratch)
{
    using T = typename Network::scalar;
    constexpr std::size_t last = Network::layer_count - 1;
    constexpr std::size_t width = Network::max_width;
    constexpr std::size_t outputs = Network::output_size;
    const model_ref<T> m = net.view();
    const T* w = m.parameters;
    T* r_a = scratch;                                  // R{a}, laid out like the activations
    T* r_z = r_a + Network::activation_count;          // R{z} = f'(a) R{a}
    T* delta = r_z + Network::activation_count;        // dE/da of the current layer
    T* r_delta = delta + width;                        // R{dE/da}
    T* delta_below = r_delta + width;
    T* r_delta_below = delta_below + width;
    T* curvature = r_delta_below + width;              // M = d2E/da da^T at the output

    // Forward: R{a} = V z_in + W R{z_in} + R{b}, with R{z_0} = R{x} = 0.
    for (std::size_t l = 0; l <= last; ++l) {
        const layer_info& layer = Network::layers[l];
        const T* in = engine::layer_input(m, x, l);
        const T* r_in = l == 0 ? nullptr : r_z + Network::layers[l - 1].output_offset;
        T* r_out = r_a + layer.output_offset;
        for (std::size_t j = 0; j < layer.outputs; ++j) {
            T acc = v[layer.bias_offset + j];
            for (std::size_t i = 0; i < layer.inputs; ++i) {
                const std::size_t q = weight_index(layer, j, i);
                acc += v[q] * in[i];
                if (r_in != nullptr) acc += w[q] * r_in[i];
            }
            r_out[j] = acc;
        }
        if (l == last) break;  // the output's R{y} enters only through M R{a} below
        const T* z = m.activations + layer.output_offset;
        const T parameter = static_cast<T>(layer.activation_parameter);
        for (std::size_t j = 0; j < layer.outputs; ++j) {
            r_z[layer.output_offset + j] = activation::derivative(layer.activation, parameter, z[j]) * r_out[j];
        }
    }

    // Output: delta = dE/da, R{delta} = M R{a} (M covers softmax's coupled outputs).
    const layer_info& top = Network::layers[last];
    const T top_parameter = static_cast<T>(top.activation_parameter);
    const T* y = m.activations + top.output_offset;
    output_delta<Loss>(top.activation, top_parameter, y, d, delta, outputs);
    output_curvature<Loss>(top.activation, top_parameter, y, d, curvature, outputs);
    for (std::size_t k = 0; k < outputs; ++k) {
        T acc = T(0);
        for (std::size_t l = 0; l < outputs; ++l) acc += curvature[k * outputs + l] * r_a[top.output_offset + l];
        r_delta[k] = acc;
    }

    for (std::size_t q = 0; q < Network::parameter_count; ++q) hv[q] = T(0);
    // Backward: R{dE/dW} = R{delta} z_in^T + delta R{z_in}^T, R{dE/db} = R{delta};
    // g = W^T delta, R{g} = V^T delta + W^T R{delta};
    // delta_in = f'(a) g, R{delta_in} = f''(a) R{a} g + f'(a) R{g}.
    for (std::size_t l = last + 1; l-- > 0;) {
        const layer_info& layer = Network::layers[l];
        const T* in = engine::layer_input(m, x, l);
        const T* r_in = l == 0 ? nullptr : r_z + Network::layers[l - 1].output_offset;
        for (std::size_t j = 0; j < layer.outputs; ++j) {
            for (std::size_t i = 0; i < layer.inputs; ++i) {
                T value = r_delta[j] * in[i];
                if (r_in != nullptr) value += delta[j] * r_in[i];
                hv[weight_index(layer, j, i)] += value;  // a tied use adds to its source's
            }
            hv[layer.bias_offset + j] += r_delta[j];
        }
        if (l == 0) break;
        const layer_info& below = Network::layers[l - 1];
        const T parameter = static_cast<T>(below.activation_parameter);
        const T* z = m.activations + below.output_offset;
        for (std::size_t i = 0; i < layer.inputs; ++i) {
            T g = T(0);
            T r_g = T(0);
            for (std::size_t j = 0; j < layer.outputs; ++j) {
                const std::size_t q = weight_index(layer, j, i);
                g += w[q] * delta[j];
                r_g += v[q] * delta[j] + w[q] * r_delta[j];
            }
            const T first = activation::derivative(below.activation, parameter, z[i]);
            const T second = activation::second_derivative(below.activation, z[i]);
            delta_below[i] = first * g;
            r_delta_below[i] = second * r_a[below.output_offset + i] * g + first * r_g;
        }
        std::swap(delta, delta_below);
        std::swap(r_delta, r_delta_below);
    }
}

/// dE/dtheta of sample (x, d) into `gradient` (P values) by backprop, with the network's
/// parameters as they are now. `scratch`: 2 * max_width values. False when not finite.
template <class Loss, class Network>
bool plain_gradient(Network& net, const typename Network::scalar* x, const typename Network::scalar* d,
                    typename Network::scalar* gradient, typename Network::scalar* scratch)
{
    using T = typename Network::scalar;
    const model_ref<T> m = net.view();
    engine::forward<T, Network::has_tied_layers>(m, x);
    const layer_info& top = Network::layers[Network::layer_count - 1];
    output_delta<Loss>(top.activation, static_cast<T>(top.activation_parameter), m.activations + top.output_offset,
                       d, scratch, Network::output_size);
    for (std::size_t q = 0; q < Network::parameter_count; ++q) gradient[q] = T(0);
    engine::backward_accumulate<T, Network::has_tied_layers>(m, x, scratch, scratch + Network::max_width, gradient,
                                                             T(1));
    return all_finite(gradient, Network::parameter_count);
}

/// Column q of H by the fourth-order central difference of the gradient,
/// (8 (g(+h) - g(-h)) - (g(+2h) - g(-2h))) / 12h with h = eps^(1/5) max(|theta_q|, 1):
/// truncation O(h^4) and rounding O(eps / h) balance there. Restores theta_q bit for bit.
/// `scratch`: 2 P + 2 * max_width values. False when a gradient is not finite.
template <class Loss, class Network>
bool central_difference_column(Network& net, const typename Network::scalar* x,
                               const typename Network::scalar* d, std::size_t q,
                               typename Network::scalar* column, typename Network::scalar* scratch)
{
    using T = typename Network::scalar;
    using ops = scalar_ops<T>;
    constexpr std::size_t p = Network::parameter_count;
    T* gradient = scratch;
    T* deltas = scratch + p;
    T* theta = net.parameters().data();
    const T original = theta[q];
    const T magnitude = ops::abs(original);
    const T step = ops::exp(ops::log(ops::epsilon()) / T(5)) * (magnitude > T(1) ? magnitude : T(1));
    for (std::size_t r = 0; r < p; ++r) column[r] = T(0);
    // Stencil offsets in steps and their weights (times 12 h).
    const T offsets[4] = {T(1), T(-1), T(2), T(-2)};
    const T weights[4] = {T(8), T(-8), T(-1), T(1)};
    bool finite = true;
    for (std::size_t s = 0; s < 4; ++s) {
        theta[q] = original + offsets[s] * step;
        finite = plain_gradient<Loss>(net, x, d, gradient, deltas) && finite;
        for (std::size_t r = 0; r < p; ++r) column[r] += weights[s] * gradient[r];
    }
    theta[q] = original;
    const T inverse = T(1) / (T(12) * step);
    for (std::size_t r = 0; r < p; ++r) column[r] *= inverse;
    return finite && all_finite(column, p);
}

}  // namespace detail

/// Adds H v to `hv` for sample (x, d), H = d2E/dtheta dtheta^T over all P parameters,
/// by the R-operator (PRML 5.4.6): one forward pass (P multiply-adds), one R-forward pass
/// (2 P) and one backward pass with its R-pass (5 P), plus output_size^2 for the output
/// curvature: about 8 P multiply-adds, with no P x P memory.
/// Exact for every activation, loss and tied layer hessian_supported allows (ReLU's
/// f'' = 0 away from its kink, as for the finite-difference Hessian).
///
/// Preconditions: x has input_size values, d output_size, v and hv P each, scratch at
/// least hessian_vector_scratch_size<Network> (MICROPROP_CHECK). Statuses (hv untouched on
/// all but ok): non_finite_input (x or v has a NaN or infinity), non_finite_target,
/// non_finite_parameter, non_finite_gradient (H v overflowed). The network's activations
/// hold x's forward pass after the call; its parameters are not changed.
template <class Loss, class Network>
[[nodiscard]] status hessian_vector_product(Network& net, span<const typename Network::scalar> x,
                                            span<const typename Network::scalar> d,
                                            span<const typename Network::scalar> v,
                                            span<typename Network::scalar> hv,
                                            span<typename Network::scalar> scratch)
{
    using T = typename Network::scalar;
    constexpr std::size_t p = Network::parameter_count;
    MICROPROP_CHECK(v.size() == p && hv.size() == p, "v and hv must hold parameter_count values");
    MICROPROP_CHECK(scratch.size() >= hessian_vector_scratch_size<Network>, "hessian-vector scratch too small");
    if (!all_finite(v.data(), p)) return status::non_finite_input;
    const status s = detail::start_hessian<Loss>(net, x, d);
    if (s != status::ok) return s;
    T* product = scratch.data() + detail::r_operator_scratch_size<Network>;
    detail::r_operator_product<Loss>(net, x.data(), d.data(), v.data(), product, scratch.data());
    if (!all_finite(product, p)) return status::non_finite_gradient;
    for (std::size_t q = 0; q < p; ++q) hv[q] += product[q];
    return status::ok;
}

/// Adds the exact Hessian of sample (x, d) to `h` (P x P, row-major, parameter order of
/// network.hpp) for a network of any depth: row q is H e_q from hessian_vector_product.
/// Costs one forward pass and 2 P R-operator passes, about 14 P^2 multiply-adds: the first
/// P only check that every row is finite, so that a failing call leaves h as it was. RAM: the P^2 of h
/// and exact_hessian_scratch_size<Network> values of scratch. The closed form for
/// one hidden layer, exact_hessian_two_layer (PRML 5.93-5.95), checks it.
///
/// Statuses (h untouched on all but ok): non_finite_input, non_finite_target,
/// non_finite_parameter, non_finite_gradient (a row overflowed).
template <class Loss, class Network>
[[nodiscard]] status exact_hessian(Network& net, span<const typename Network::scalar> x,
                                   span<const typename Network::scalar> d, span<typename Network::scalar> h,
                                   span<typename Network::scalar> scratch)
{
    using T = typename Network::scalar;
    constexpr std::size_t p = Network::parameter_count;
    MICROPROP_CHECK(h.size() >= p * p, "hessian too small");
    MICROPROP_CHECK(scratch.size() >= exact_hessian_scratch_size<Network>, "hessian scratch too small");
    const status s = detail::start_hessian<Loss>(net, x, d);
    if (s != status::ok) return s;
    T* unit = scratch.data() + detail::r_operator_scratch_size<Network>;
    T* row = unit + p;
    for (std::size_t q = 0; q < p; ++q) unit[q] = T(0);
    for (int pass = 0; pass < 2; ++pass) {
        for (std::size_t q = 0; q < p; ++q) {
            unit[q] = T(1);
            detail::r_operator_product<Loss>(net, x.data(), d.data(), unit, row, scratch.data());
            unit[q] = T(0);
            if (pass == 0) {
                if (!all_finite(row, p)) return status::non_finite_gradient;
            } else {
                for (std::size_t c = 0; c < p; ++c) h[q * p + c] += row[c];
            }
        }
    }
    return status::ok;
}

/// Adds the central-difference Hessian of sample (x, d) to `h` (P x P): column q is the
/// fourth-order central difference of backprop's gradient in theta_q, step
/// eps^(1/5) max(|theta_q|, 1) (about 7e-4 in double, 4e-2 in float; error about
/// eps^(4/5) relative, 3e-13 in double). 8 P gradients (about 24 P^2 multiply-adds): the
/// first 4 P only check that every column is finite, so that a failing call leaves h as
/// it was. Scratch: hessian_check_scratch_size<Network>. Every parameter is restored bit
/// for bit; the activations hold x's forward pass after.
/// Statuses (h untouched on all but ok): non_finite_input, non_finite_target,
/// non_finite_parameter, non_finite_gradient.
template <class Loss, class Network>
[[nodiscard]] status central_difference_hessian(Network& net, span<const typename Network::scalar> x,
                                                span<const typename Network::scalar> d,
                                                span<typename Network::scalar> h,
                                                span<typename Network::scalar> scratch)
{
    using T = typename Network::scalar;
    constexpr std::size_t p = Network::parameter_count;
    MICROPROP_CHECK(h.size() >= p * p, "hessian too small");
    MICROPROP_CHECK(scratch.size() >= hessian_check_scratch_size<Network>, "hessian scratch too small");
    const status s = detail::start_hessian<Loss>(net, x, d);
    if (s != status::ok) return s;
    T* column = scratch.data();
    for (int pass = 0; pass < 2; ++pass) {
        for (std::size_t q = 0; q < p; ++q) {
            if (!detail::central_difference_column<Loss>(net, x.data(), d.data(), q, column, column + p)) {
                engine::forward<T, Network::has_tied_layers>(net.view(), x.data());
                return status::non_finite_gradient;
            }
            if (pass == 1) {
                for (std::size_t r = 0; r < p; ++r) h[r * p + q] += column[r];
            }
        }
    }
    engine::forward<T, Network::has_tied_layers>(net.view(), x.data());
    return status::ok;
}

/// Outcome of check_hessian: the worst entry and how far the exact Hessian (from
/// Hessian-vector products) and the central difference disagree there.
template <class T>
struct hessian_check_result {
    /// ok, or why the check could not run.
    status outcome = status::ok;
    /// |exact - numeric| / max(|exact|, |numeric|, floor), the largest over all P^2 entries.
    T max_relative_error = T(0);
    /// Largest |exact - numeric|.
    T max_absolute_error = T(0);
    std::size_t row = 0;     ///< where max_relative_error occurred
    std::size_t column = 0;  ///< where max_relative_error occurred
    T exact = T(0);          ///< the R-operator's value there
    T numeric = T(0);        ///< the central difference there
};

/// Compares every entry of the exact Hessian of sample (x, d) (hessian_vector_product
/// with unit vectors) with the central difference of the gradient
/// (central_difference_hessian), one column at a time, so it needs no P x P memory:
/// hessian_check_scratch_size<Network> values of scratch, 4 P gradients and P R-operator
/// passes (about 19 P^2 multiply-adds). `floor` is the smallest denominator of the
/// relative error. outcome: ok, non_finite_input, non_finite_target, non_finite_parameter,
/// or non_finite_gradient (a gradient of the difference was not finite; the result covers
/// the columns before it).
/// Every parameter is restored bit for bit; the activations hold x's forward pass after.
template <class Loss, class Network>
hessian_check_result<typename Network::scalar> check_hessian(
    Network& net, span<const typename Network::scalar> x, span<const typename Network::scalar> d,
    span<typename Network::scalar> scratch,
    typename Network::scalar floor = scalar_ops<typename Network::scalar>::sqrt(
        scalar_ops<typename Network::scalar>::epsilon()))
{
    using T = typename Network::scalar;
    using ops = scalar_ops<T>;
    constexpr std::size_t p = Network::parameter_count;
    hessian_check_result<T> result;
    MICROPROP_CHECK(scratch.size() >= hessian_check_scratch_size<Network>, "hessian scratch too small");
    result.outcome = detail::start_hessian<Loss>(net, x, d);
    if (result.outcome != status::ok) return result;
    T* column = scratch.data();
    T* exact = column + p;  // the difference's gradient scratch (P + 2 max_width) until it is done
    T* unit = exact + p + 2 * Network::max_width;
    T* r_scratch = unit + p;
    for (std::size_t q = 0; q < p; ++q) unit[q] = T(0);
    bool first = true;
    for (std::size_t q = 0; q < p; ++q) {
        if (!detail::central_difference_column<Loss>(net, x.data(), d.data(), q, column, exact)) {
            result.outcome = status::non_finite_gradient;
            break;
        }
        engine::forward<T, Network::has_tied_layers>(net.view(), x.data());
        unit[q] = T(1);
        detail::r_operator_product<Loss>(net, x.data(), d.data(), unit, exact, r_scratch);
        unit[q] = T(0);
        for (std::size_t r = 0; r < p; ++r) {
            const T error = ops::abs(exact[r] - column[r]);
            T scale = ops::abs(exact[r]) > ops::abs(column[r]) ? ops::abs(exact[r]) : ops::abs(column[r]);
            scale = scale > floor ? scale : floor;
            const T relative = error / scale;
            if (first || !(relative <= result.max_relative_error)) {
                result.max_relative_error = relative;
                result.row = r;
                result.column = q;
                result.exact = exact[r];
                result.numeric = column[r];
                first = false;
            }
            result.max_absolute_error = error > result.max_absolute_error ? error : result.max_absolute_error;
        }
    }
    engine::forward<T, Network::has_tied_layers>(net.view(), x.data());
    return result;
}

}  // namespace microprop

#endif
