// Second derivatives of the loss over all weights and biases as one vector
// (PRML 5.4): the diagonal approximation, the outer-product (Gauss-Newton /
// Levenberg-Marquardt) approximation with each loss's own output curvature, its
// diagonal and its sequential inverse, and the closed-form exact Hessian of a network
// with one hidden layer (hessian_vector.hpp has the exact Hessian at any depth, from
// Hessian-vector products).
//
// Matrices are P x P row-major over the parameter order of network.hpp
// (P = Network::parameter_count). Every function *adds* one sample's term, so
// the Hessian of E = sum_n E_n is a loop over the data set into a zeroed matrix.
#ifndef MICROPROP_HESSIAN_HPP
#define MICROPROP_HESSIAN_HPP

#include <cstddef>
#include <type_traits>

#include "engine.hpp"
#include "jacobian.hpp"
#include "kernels/dense_backward/reference.hpp"
#include "layers/activations.hpp"
#include "losses.hpp"
#include "network.hpp"
#include "scalar.hpp"
#include "size_check.hpp"
#include "span.hpp"
#include "status.hpp"

namespace microprop {

/// True for the output/loss pairs whose output curvature M = d2E/da da^T the
/// Hessian functions know: the three matched pairs, and squared error after
/// any element-wise output activation.
template <class Loss, activation_kind Output>
constexpr bool hessian_supported =
    Loss::fused_with(Output) || (Loss::accepts(Output) && Output != activation_kind::softmax);

namespace detail {

template <class Loss, activation_kind Output>
struct hessian_support_check {
    static_assert(hessian_supported<Loss, Output>,
                  "Hessians need identity/sigmoid/tanh/ReLU outputs with squared_error, or a matched "
                  "pair (sigmoid + binary_cross_entropy, softmax + cross_entropy); squared error "
                  "after softmax is not supported.");
    static constexpr bool value = true;
};

/// M_kk' = d2E / da_k da_k' of the output layer (K x K) for output y = f(a), target d.
template <class Loss, class T>
void output_curvature(activation_kind output, T parameter, const T* y, const T* d, T* m, std::size_t k_size)
{
    for (std::size_t k = 0; k < k_size * k_size; ++k) m[k] = T(0);
    if (output == activation_kind::softmax) {
        T target_sum = T(0);
        for (std::size_t k = 0; k < k_size; ++k) target_sum += d[k];
        for (std::size_t k = 0; k < k_size; ++k) {
            for (std::size_t l = 0; l < k_size; ++l) {
                m[k * k_size + l] = target_sum * ((k == l ? y[k] : T(0)) - y[k] * y[l]);
            }
        }
    } else if (Loss::fused_with(output) && output == activation_kind::sigmoid) {
        for (std::size_t k = 0; k < k_size; ++k) m[k * k_size + k] = y[k] * (T(1) - y[k]);
    } else {
        // Squared error: d2E/da^2 = f'(a)^2 + f''(a) (y - d).
        for (std::size_t k = 0; k < k_size; ++k) {
            const T first = activation::derivative(output, parameter, y[k]);
            const T second = activation::second_derivative(output, y[k]);
            m[k * k_size + k] = first * first + second * (y[k] - d[k]);
        }
    }
}

}  // namespace detail

/// Adds the Becker-Le Cun diagonal approximation (PRML 5.79-5.81) for sample
/// (x, d) to `diagonal` (P values): d2E/dw_ji^2 = d2E/da_j^2 z_i^2 with
/// d2E/da_j^2 = h'(a_j)^2 sum_k w_kj^2 d2E/da_k^2 + h''(a_j) sum_k w_kj dE/da_k,
/// the off-diagonal terms of each next layer dropped. A weight shared by a tied
/// layer gets the sum of both uses' terms (the cross term between the two uses is
/// off-diagonal in the untied network and dropped with the others). `scratch` holds
/// 4 * max_width + output_size^2 values.
template <class Loss, class Network>
[[nodiscard]] status hessian_diagonal_unchecked(Network& net, const typename Network::scalar* x,
                                      const typename Network::scalar* d,
                                      span<typename Network::scalar> diagonal,
                                      span<typename Network::scalar> scratch)
{
    static_assert(std::is_floating_point<typename Network::scalar>::value, "Hessians need a floating-point network: train a fixed-point one, then dequantize() it into a float network.");
    using T = typename Network::scalar;
    static_assert(detail::hessian_support_check<Loss, Network::output_activation>::value, "");
    constexpr std::size_t width = Network::max_width;
    constexpr std::size_t outputs = Network::output_size;
    MICROPROP_CHECK(diagonal.size() >= Network::parameter_count, "diagonal too small");
    MICROPROP_CHECK(scratch.size() >= 4 * width + outputs * outputs, "hessian scratch too small");
    if (!all_finite(x, Network::input_size)) return status::non_finite_input;
    if (!all_finite(d, outputs)) return status::non_finite_target;
    const model_ref<T> m = net.view();
    net.forward_unchecked(x);
    T* delta = scratch.data();
    T* delta_below = delta + width;
    T* curvature = delta_below + width;
    T* curvature_below = curvature + width;
    T* output_m = curvature_below + width;

    const layer_info& top = Network::layers[Network::layer_count - 1];
    const T* y = m.activations + top.output_offset;
    output_delta<Loss>(top.activation, static_cast<T>(top.activation_parameter), y, d, delta, outputs);
    detail::output_curvature<Loss>(top.activation, static_cast<T>(top.activation_parameter), y, d, output_m, outputs);
    for (std::size_t k = 0; k < outputs; ++k) curvature[k] = output_m[k * outputs + k];

    for (std::size_t l = Network::layer_count; l-- > 0;) {
        const layer_info& layer = Network::layers[l];
        const T* in = engine::layer_input(m, x, l);
        const T* w = m.parameters + layer.weight_offset;
        // W(j, i)'s place in the parameter vector (a tied layer reads its source's, transposed).
        const std::size_t row_stride = layer.transposed ? 1 : layer.inputs;
        const std::size_t column_stride = layer.transposed ? layer.outputs : 1;
        for (std::size_t j = 0; j < layer.outputs; ++j) {
            for (std::size_t i = 0; i < layer.inputs; ++i) {
                diagonal[layer.weight_offset + j * row_stride + i * column_stride] += curvature[j] * in[i] * in[i];
            }
            diagonal[layer.bias_offset + j] += curvature[j];
        }
        if (l == 0) break;
        const layer_info& below = Network::layers[l - 1];
        const T parameter = static_cast<T>(below.activation_parameter);
        for (std::size_t i = 0; i < layer.inputs; ++i) {
            T linear = T(0);
            T squared = T(0);
            for (std::size_t j = 0; j < layer.outputs; ++j) {
                const T wji = w[j * row_stride + i * column_stride];
                linear += wji * delta[j];
                squared += wji * wji * curvature[j];
            }
            const T z = in[i];
            const T first = activation::derivative(below.activation, parameter, z);
            const T second = activation::second_derivative(below.activation, z);
            delta_below[i] = first * linear;
            curvature_below[i] = first * first * squared + second * linear;
        }
        T* swap = delta;
        delta = delta_below;
        delta_below = swap;
        swap = curvature;
        curvature = curvature_below;
        curvature_below = swap;
    }
    return status::ok;
}

/// Adds `b b^T` to the P x P matrix `h` (one outer-product term, PRML 5.84).
template <class T>
void add_outer_product(span<T> h, const T* b, std::size_t p)
{
    for (std::size_t r = 0; r < p; ++r) {
        for (std::size_t c = 0; c < p; ++c) h[r * p + c] += b[r] * b[c];
    }
}

/// Sets the P x P matrix `h` to value * I (e.g. H_0^-1 = I / alpha, PRML 5.89).
template <class T>
void set_scaled_identity(span<T> h, std::size_t p, T value)
{
    for (std::size_t r = 0; r < p; ++r) {
        for (std::size_t c = 0; c < p; ++c) h[r * p + c] = r == c ? value : T(0);
    }
}

/// One Woodbury step (PRML 5.89): H^-1 <- H^-1 - (H^-1 b)(b^T H^-1) / (1 + b^T H^-1 b),
/// the inverse after adding b b^T to H. `h_inverse` is symmetric P x P; `scratch` holds P values.
template <class T>
void woodbury_update(span<T> h_inverse, const T* b, T* scratch, std::size_t p)
{
    T* hb = scratch;
    for (std::size_t r = 0; r < p; ++r) {
        T acc = T(0);
        for (std::size_t c = 0; c < p; ++c) acc += h_inverse[r * p + c] * b[c];
        hb[r] = acc;
    }
    T denominator = T(1);
    for (std::size_t r = 0; r < p; ++r) denominator += b[r] * hb[r];
    const T inverse = T(1) / denominator;
    for (std::size_t r = 0; r < p; ++r) {
        for (std::size_t c = 0; c < p; ++c) h_inverse[r * p + c] -= hb[r] * hb[c] * inverse;
    }
}

/// Calls `use(b)` with b = dy_k/dtheta (P values) for every output k of sample x:
/// the rows of the Jacobian of the outputs with respect to the parameters.
/// `scratch` holds P + 2 * max_width values.
template <class Network, class Use>
[[nodiscard]] status for_each_output_gradient_unchecked(Network& net, const typename Network::scalar* x,
                                              span<typename Network::scalar> scratch, Use&& use)
{
    using T = typename Network::scalar;
    constexpr std::size_t p = Network::parameter_count;
    MICROPROP_CHECK(scratch.size() >= p + 2 * Network::max_width, "hessian scratch too small");
    if (!all_finite(x, Network::input_size)) return status::non_finite_input;
    const model_ref<T> m = net.view();
    net.forward_unchecked(x);
    T* b = scratch.data();
    T* delta = b + p;
    T* below = delta + Network::max_width;
    for (std::size_t k = 0; k < Network::output_size; ++k) {
        output_sensitivity<Network>(m, k, delta);
        for (std::size_t q = 0; q < p; ++q) b[q] = T(0);
        engine::backward_accumulate<T, Network::has_tied_layers>(m, x, delta, below, b, T(1));
        use(static_cast<const T*>(b));
    }
    return status::ok;
}

/// Scratch values of outer_product_hessian, gauss_newton_diagonal and
/// for_each_gauss_newton_vector: P + 2 * max_width.
template <class Network>
constexpr std::size_t gauss_newton_scratch_size = Network::parameter_count + 2 * Network::max_width;

/// Scratch values of sequential_inverse_hessian: 2 P + 2 * max_width.
template <class Network>
constexpr std::size_t sequential_inverse_scratch_size = 2 * Network::parameter_count + 2 * Network::max_width;

namespace detail {

/// Column k of a factor L of the loss's Gauss-Newton curvature G = L L^T over the
/// output pre-activations a (K values into `v`), for output y = f(a) and targets
/// summing to `target_sum`:
/// - squared error: G = diag(f'(a)^2), column k = f'(a_k) e_k (PRML 5.84);
/// - sigmoid + binary cross-entropy: G = diag(y (1 - y)), column k = sqrt(y_k (1 - y_k)) e_k (5.85);
/// - softmax + cross-entropy: G = s (diag(y) - y y^T) with s = sum(d), column k =
///   sqrt(s y_k) (e_k - y) (sum_k y_k (e_k - y)(e_k - y)^T = diag(y) - y y^T since sum(y) = 1).
/// For the matched pairs G is the exact d2E/da da^T; for squared error it drops the
/// f''(a) (y - d) term, so that G is positive semi-definite.
template <class Loss, class T>
void gauss_newton_factor_column(activation_kind output, T parameter, const T* y, T target_sum, std::size_t k,
                                T* v, std::size_t k_size)
{
    using ops = scalar_ops<T>;
    if (output == activation_kind::softmax) {
        const T scale = ops::sqrt(target_sum * y[k]);
        for (std::size_t l = 0; l < k_size; ++l) v[l] = scale * ((l == k ? T(1) : T(0)) - y[l]);
        return;
    }
    for (std::size_t l = 0; l < k_size; ++l) v[l] = T(0);
    if (Loss::fused_with(output) && output == activation_kind::sigmoid) {
        v[k] = ops::sqrt(y[k] * (T(1) - y[k]));
    } else {
        v[k] = activation::derivative(output, parameter, y[k]);
    }
}

}  // namespace detail

/// Calls `use(c)` with the K vectors c_k = J^T l_k (P values each) whose outer products
/// sum to sample (x, d)'s Gauss-Newton matrix G_n = J^T Lambda J = sum_k c_k c_k^T: J = da/dtheta
/// is the Jacobian of the output pre-activations, Lambda = L L^T the loss's curvature over a
/// with columns l_k (squared error: diag(f'(a)^2), PRML 5.84; sigmoid + binary cross-entropy:
/// diag(y (1 - y)), 5.85; softmax + cross-entropy: sum(d) (diag(y) - y y^T)). One forward and K
/// backward passes; changes no parameter. `scratch`: gauss_newton_scratch_size values.
/// Statuses: non_finite_input, non_finite_target, target_out_of_range (softmax targets with a
/// negative sum, where Lambda is not positive semi-definite).
template <class Loss, class Network, class Use>
[[nodiscard]] status for_each_gauss_newton_vector_unchecked(Network& net, const typename Network::scalar* x,
                                                  const typename Network::scalar* d,
                                                  span<typename Network::scalar> scratch, Use&& use)
{
    static_assert(std::is_floating_point<typename Network::scalar>::value, "Hessians need a floating-point network: train a fixed-point one, then dequantize() it into a float network.");
    static_assert(detail::hessian_support_check<Loss, Network::output_activation>::value, "");
    using T = typename Network::scalar;
    constexpr std::size_t p = Network::parameter_count;
    constexpr std::size_t outputs = Network::output_size;
    MICROPROP_CHECK(scratch.size() >= gauss_newton_scratch_size<Network>, "hessian scratch too small");
    if (!all_finite(x, Network::input_size)) return status::non_finite_input;
    if (!all_finite(d, outputs)) return status::non_finite_target;
    T target_sum = T(0);
    for (std::size_t k = 0; k < outputs; ++k) target_sum += d[k];
    if (Network::output_activation == activation_kind::softmax && target_sum < T(0)) {
        return status::target_out_of_range;
    }
    const model_ref<T> m = net.view();
    net.forward_unchecked(x);
    const layer_info& top = Network::layers[Network::layer_count - 1];
    const T* y = m.activations + top.output_offset;
    T* c = scratch.data();
    T* delta = c + p;
    T* below = delta + Network::max_width;
    for (std::size_t k = 0; k < outputs; ++k) {
        detail::gauss_newton_factor_column<Loss>(top.activation, static_cast<T>(top.activation_parameter), y,
                                                 target_sum, k, delta, outputs);
        for (std::size_t q = 0; q < p; ++q) c[q] = T(0);
        engine::backward_accumulate<T, Network::has_tied_layers>(m, x, delta, below, c, T(1));
        use(static_cast<const T*>(c));
    }
    return status::ok;
}

/// Adds sample (x, d)'s Gauss-Newton matrix G_n = J^T Lambda J (P x P, row-major) to `h`,
/// with the loss's own output curvature Lambda (see for_each_gauss_newton_vector):
/// identity + squared error sum_k b_k b_k^T with b_k = dy_k/dtheta (PRML 5.84, exact where
/// y = d); any squared-error output the same (Lambda = diag(f'^2)); sigmoid + binary
/// cross-entropy sum_k y_k (1 - y_k) g_k g_k^T with g_k = da_k/dtheta (5.85); softmax +
/// cross-entropy J^T sum(d) (diag(y) - y y^T) J. For the matched pairs it is the Hessian
/// without the terms in d2a/dtheta2. Writes P^2 values of h (P^2 sizeof(T) bytes); `scratch`:
/// gauss_newton_scratch_size values. Statuses as for_each_gauss_newton_vector; on any but ok
/// h is unchanged.
template <class Loss, class Network>
[[nodiscard]] status outer_product_hessian_unchecked(Network& net, const typename Network::scalar* x,
                                           const typename Network::scalar* d,
                                           span<typename Network::scalar> h,
                                           span<typename Network::scalar> scratch)
{
    using T = typename Network::scalar;
    MICROPROP_CHECK(h.size() >= Network::parameter_count * Network::parameter_count, "hessian too small");
    return for_each_gauss_newton_vector_unchecked<Loss>(net, x, d, scratch, [&](const T* c) {
        add_outer_product(h, c, Network::parameter_count);
    });
}

/// Adds the diagonal of sample (x, d)'s Gauss-Newton matrix (outer_product_hessian's
/// diagonal, sum_k c_k^2; for the matched pairs the diagonal Fisher information) to
/// `diagonal` (P values). Exact, unlike hessian_diagonal's Becker-Le Cun approximation,
/// at K backward passes. `scratch`: gauss_newton_scratch_size values. Statuses as
/// for_each_gauss_newton_vector; on any but ok `diagonal` is unchanged.
template <class Loss, class Network>
[[nodiscard]] status gauss_newton_diagonal_unchecked(Network& net, const typename Network::scalar* x,
                                           const typename Network::scalar* d,
                                           span<typename Network::scalar> diagonal,
                                           span<typename Network::scalar> scratch)
{
    using T = typename Network::scalar;
    MICROPROP_CHECK(diagonal.size() >= Network::parameter_count, "diagonal too small");
    return for_each_gauss_newton_vector_unchecked<Loss>(net, x, d, scratch, [&](const T* c) {
        for (std::size_t q = 0; q < Network::parameter_count; ++q) diagonal[q] += c[q] * c[q];
    });
}

/// Updates `h_inverse` (P x P, start from set_scaled_identity(h, P, 1 / alpha)) by one
/// Woodbury step (PRML 5.86-5.89) per vector c_k of sample (x, d)'s Gauss-Newton matrix
/// (for_each_gauss_newton_vector), so after a data set it holds
/// (alpha I + sum_n G_n)^-1, the inverse of alpha I plus outer_product_hessian's sum.
/// `scratch`: sequential_inverse_scratch_size values. Statuses as
/// for_each_gauss_newton_vector; on any but ok h_inverse is unchanged.
template <class Loss, class Network>
[[nodiscard]] status sequential_inverse_hessian_unchecked(Network& net, const typename Network::scalar* x,
                                                const typename Network::scalar* d,
                                                span<typename Network::scalar> h_inverse,
                                                span<typename Network::scalar> scratch)
{
    using T = typename Network::scalar;
    constexpr std::size_t p = Network::parameter_count;
    MICROPROP_CHECK(h_inverse.size() >= p * p, "inverse hessian too small");
    MICROPROP_CHECK(scratch.size() >= sequential_inverse_scratch_size<Network>, "hessian scratch too small");
    T* woodbury_scratch = scratch.data() + gauss_newton_scratch_size<Network>;
    return for_each_gauss_newton_vector_unchecked<Loss>(net, x, d, scratch.subspan(0, gauss_newton_scratch_size<Network>),
                                              [&](const T* c) { woodbury_update(h_inverse, c, woodbury_scratch, p); });
}

/// Scratch values exact_hessian_two_layer needs for this network.
template <class Network>
constexpr std::size_t exact_hessian_two_layer_scratch_size =
    Network::output_size * Network::output_size + Network::output_size * Network::layers[0].outputs +
    Network::layers[0].outputs * Network::layers[0].outputs + 2 * Network::max_width;

/// Adds the exact Hessian of sample (x, d) to `h` (P x P) for a network with one
/// hidden layer (two dense layers) by the closed form of PRML (5.92)-(5.95): the
/// independent check of exact_hessian (hessian_vector.hpp, any depth), and cheaper: each of
/// the P^2 entries costs a few multiplies, where exact_hessian needs about 14 P^2
/// multiply-adds. Biases are treated as weights
/// on a constant input 1. With a_j the hidden and a_k the output pre-activations,
/// delta_k = dE/da_k and M_kk' = d2E/da_k da_k':
///   second-second: z_j z_j' M_kk';
///   first-first:   x_i x_i' [h''(a_j) I_jj' sum_k w_kj delta_k + h'(a_j) h'(a_j') sum_kk' w_kj w_k'j' M_kk'];
///   first-second:  x_i h'(a_j) [delta_k I_jj' + z_j' sum_k' w_k'j M_kk'].
template <class Loss, class Network>
[[nodiscard]] status exact_hessian_two_layer_unchecked(Network& net, const typename Network::scalar* x,
                                   const typename Network::scalar* d, span<typename Network::scalar> h,
                                   span<typename Network::scalar> scratch)
{
    static_assert(std::is_floating_point<typename Network::scalar>::value, "Hessians need a floating-point network: train a fixed-point one, then dequantize() it into a float network.");
    using T = typename Network::scalar;
    static_assert(Network::layer_count == 2,
                  "exact_hessian_two_layer implements PRML (5.92)-(5.95) for networks with exactly one "
                  "hidden layer, i.e. two dense layers; exact_hessian (hessian_vector.hpp) takes any depth.");
    static_assert(detail::hessian_support_check<Loss, Network::output_activation>::value, "");
    constexpr layer_info first = Network::layers[0];
    constexpr layer_info second = Network::layers[Network::layer_count - 1];  // no bounds error after the static_assert
    constexpr std::size_t n_in = first.inputs;
    constexpr std::size_t n_hidden = first.outputs;
    constexpr std::size_t n_out = second.outputs;
    constexpr std::size_t p = Network::parameter_count;
    MICROPROP_CHECK(h.size() >= p * p, "hessian too small");
    MICROPROP_CHECK(scratch.size() >= exact_hessian_two_layer_scratch_size<Network>, "hessian scratch too small");
    if (!all_finite(x, n_in)) return status::non_finite_input;
    if (!all_finite(d, n_out)) return status::non_finite_target;

    const model_ref<T> m = net.view();
    net.forward_unchecked(x);
    const T* z = m.activations + first.output_offset;
    const T* y = m.activations + second.output_offset;
    const T* w2_stored = m.parameters + second.weight_offset;
    // W2(k, j); a tied second layer reads the first layer's matrix transposed.
    auto w2 = [&](std::size_t k, std::size_t j) {
        return second.transposed ? w2_stored[j * n_out + k] : w2_stored[k * n_hidden + j];
    };
    T* curvature = scratch.data();           // M, n_out x n_out
    T* m_w2 = curvature + n_out * n_out;     // (M W2)_kj, n_out x n_hidden
    T* a = m_w2 + n_out * n_hidden;          // (W2^T M W2)_jj', n_hidden x n_hidden
    T* delta = a + n_hidden * n_hidden;      // dE/da_k
    T* hidden = delta + Network::max_width;  // sum_k w_kj delta_k
    output_delta<Loss>(second.activation, static_cast<T>(second.activation_parameter), y, d, delta, n_out);
    detail::output_curvature<Loss>(second.activation, static_cast<T>(second.activation_parameter), y, d, curvature, n_out);
    for (std::size_t k = 0; k < n_out; ++k) {
        for (std::size_t j = 0; j < n_hidden; ++j) {
            T acc = T(0);
            for (std::size_t l = 0; l < n_out; ++l) acc += curvature[k * n_out + l] * w2(l, j);
            m_w2[k * n_hidden + j] = acc;
        }
    }
    for (std::size_t j = 0; j < n_hidden; ++j) {
        for (std::size_t jj = 0; jj < n_hidden; ++jj) {
            T acc = T(0);
            for (std::size_t k = 0; k < n_out; ++k) acc += w2(k, j) * m_w2[k * n_hidden + jj];
            a[j * n_hidden + jj] = acc;
        }
    }
    if constexpr (second.transposed) {
        kernels::reference::dense_backward_input_transposed(w2_stored, delta, hidden, n_hidden, n_out);
    } else {
        kernels::reference::dense_backward_input(w2_stored, delta, hidden, n_hidden, n_out);
    }

    const T parameter = static_cast<T>(first.activation_parameter);
    auto h_prime = [&](std::size_t j) {
        return activation::derivative(first.activation, parameter, z[j]);
    };
    auto h_second = [&](std::size_t j) { return activation::second_derivative(first.activation, z[j]); };
    // Index of first-layer parameter (j, i), i == n_in meaning the bias; likewise (k, j) below.
    auto first_index = [&](std::size_t j, std::size_t i) {
        return i == n_in ? first.bias_offset + j : first.weight_offset + j * n_in + i;
    };
    // A tied second layer's W2(k, j) is the first layer's (j, k): both uses add into one
    // row and column of h, which makes h the Hessian over the shared parameter (THEORY 4).
    auto second_index = [&](std::size_t k, std::size_t j) {
        if (j == n_hidden) return second.bias_offset + k;
        return second.transposed ? second.weight_offset + j * n_out + k : second.weight_offset + k * n_hidden + j;
    };
    auto input = [&](std::size_t i) { return i == n_in ? T(1) : x[i]; };
    auto hidden_out = [&](std::size_t j) { return j == n_hidden ? T(1) : z[j]; };

    for (std::size_t k = 0; k < n_out; ++k) {
        for (std::size_t j = 0; j <= n_hidden; ++j) {
            for (std::size_t kk = 0; kk < n_out; ++kk) {
                for (std::size_t jj = 0; jj <= n_hidden; ++jj) {
                    h[second_index(k, j) * p + second_index(kk, jj)] +=
                        hidden_out(j) * hidden_out(jj) * curvature[k * n_out + kk];
                }
            }
        }
    }
    for (std::size_t j = 0; j < n_hidden; ++j) {
        for (std::size_t i = 0; i <= n_in; ++i) {
            for (std::size_t jj = 0; jj < n_hidden; ++jj) {
                const T unit = (j == jj ? h_second(j) * hidden[j] : T(0)) + h_prime(j) * h_prime(jj) * a[j * n_hidden + jj];
                for (std::size_t ii = 0; ii <= n_in; ++ii) {
                    h[first_index(j, i) * p + first_index(jj, ii)] += input(i) * input(ii) * unit;
                }
            }
            for (std::size_t k = 0; k < n_out; ++k) {
                for (std::size_t jj = 0; jj <= n_hidden; ++jj) {
                    const T value = input(i) * h_prime(j) *
                                    ((j == jj ? delta[k] : T(0)) + hidden_out(jj) * m_w2[k * n_hidden + j]);
                    h[first_index(j, i) * p + second_index(k, jj)] += value;
                    h[second_index(k, jj) * p + first_index(j, i)] += value;
                }
            }
        }
    }
    return status::ok;
}

/// hessian_diagonal_unchecked() on `std::array`s or C arrays of the network's widths (checked at
/// compile time, array_length_must_match).
template <class Loss, class Network, class Input, class Target, detail::if_fixed<typename Network::scalar, Input, Target> = 0>
[[nodiscard]] status hessian_diagonal(Network& net, const Input& x, const Target& d, span<typename Network::scalar> diagonal, span<typename Network::scalar> scratch)
{
    static_assert(detail::sample_fits<Network, Input, Target>(), "");
    return hessian_diagonal_unchecked<Loss>(net, detail::first_of(x), detail::first_of(d), diagonal, scratch);
}

/// hessian_diagonal_unchecked() on spans: status::size_mismatch, and nothing computed, unless x holds
/// input_size values and d output_size.
template <class Loss, class Network>
[[nodiscard]] status hessian_diagonal(Network& net, span<const typename Network::scalar> x, span<const typename Network::scalar> d, span<typename Network::scalar> diagonal, span<typename Network::scalar> scratch)
{
    if (x.size() != Network::input_size || d.size() != Network::output_size) return status::size_mismatch;
    return hessian_diagonal_unchecked<Loss>(net, x.data(), d.data(), diagonal, scratch);
}

/// for_each_output_gradient_unchecked() on `std::array`s or C arrays of the network's widths (checked at
/// compile time, array_length_must_match).
template <class Network, class Use, class Input, detail::if_fixed<typename Network::scalar, Input> = 0>
[[nodiscard]] status for_each_output_gradient(Network& net, const Input& x, span<typename Network::scalar> scratch, Use&& use)
{
    static_assert(detail::input_fits<Network, Input>(), "");
    return for_each_output_gradient_unchecked(net, detail::first_of(x), scratch, static_cast<Use&&>(use));
}

/// for_each_output_gradient_unchecked() on spans: status::size_mismatch, and nothing computed, unless x holds
/// input_size values.
template <class Network, class Use>
[[nodiscard]] status for_each_output_gradient(Network& net, span<const typename Network::scalar> x, span<typename Network::scalar> scratch, Use&& use)
{
    if (x.size() != Network::input_size) return status::size_mismatch;
    return for_each_output_gradient_unchecked(net, x.data(), scratch, static_cast<Use&&>(use));
}

/// for_each_gauss_newton_vector_unchecked() on `std::array`s or C arrays of the network's widths (checked at
/// compile time, array_length_must_match).
template <class Loss, class Network, class Use, class Input, class Target, detail::if_fixed<typename Network::scalar, Input, Target> = 0>
[[nodiscard]] status for_each_gauss_newton_vector(Network& net, const Input& x, const Target& d, span<typename Network::scalar> scratch, Use&& use)
{
    static_assert(detail::sample_fits<Network, Input, Target>(), "");
    return for_each_gauss_newton_vector_unchecked<Loss>(net, detail::first_of(x), detail::first_of(d), scratch, static_cast<Use&&>(use));
}

/// for_each_gauss_newton_vector_unchecked() on spans: status::size_mismatch, and nothing computed, unless x holds
/// input_size values and d output_size.
template <class Loss, class Network, class Use>
[[nodiscard]] status for_each_gauss_newton_vector(Network& net, span<const typename Network::scalar> x, span<const typename Network::scalar> d, span<typename Network::scalar> scratch, Use&& use)
{
    if (x.size() != Network::input_size || d.size() != Network::output_size) return status::size_mismatch;
    return for_each_gauss_newton_vector_unchecked<Loss>(net, x.data(), d.data(), scratch, static_cast<Use&&>(use));
}

/// outer_product_hessian_unchecked() on `std::array`s or C arrays of the network's widths (checked at
/// compile time, array_length_must_match).
template <class Loss, class Network, class Input, class Target, detail::if_fixed<typename Network::scalar, Input, Target> = 0>
[[nodiscard]] status outer_product_hessian(Network& net, const Input& x, const Target& d, span<typename Network::scalar> h, span<typename Network::scalar> scratch)
{
    static_assert(detail::sample_fits<Network, Input, Target>(), "");
    return outer_product_hessian_unchecked<Loss>(net, detail::first_of(x), detail::first_of(d), h, scratch);
}

/// outer_product_hessian_unchecked() on spans: status::size_mismatch, and nothing computed, unless x holds
/// input_size values and d output_size.
template <class Loss, class Network>
[[nodiscard]] status outer_product_hessian(Network& net, span<const typename Network::scalar> x, span<const typename Network::scalar> d, span<typename Network::scalar> h, span<typename Network::scalar> scratch)
{
    if (x.size() != Network::input_size || d.size() != Network::output_size) return status::size_mismatch;
    return outer_product_hessian_unchecked<Loss>(net, x.data(), d.data(), h, scratch);
}

/// gauss_newton_diagonal_unchecked() on `std::array`s or C arrays of the network's widths (checked at
/// compile time, array_length_must_match).
template <class Loss, class Network, class Input, class Target, detail::if_fixed<typename Network::scalar, Input, Target> = 0>
[[nodiscard]] status gauss_newton_diagonal(Network& net, const Input& x, const Target& d, span<typename Network::scalar> diagonal, span<typename Network::scalar> scratch)
{
    static_assert(detail::sample_fits<Network, Input, Target>(), "");
    return gauss_newton_diagonal_unchecked<Loss>(net, detail::first_of(x), detail::first_of(d), diagonal, scratch);
}

/// gauss_newton_diagonal_unchecked() on spans: status::size_mismatch, and nothing computed, unless x holds
/// input_size values and d output_size.
template <class Loss, class Network>
[[nodiscard]] status gauss_newton_diagonal(Network& net, span<const typename Network::scalar> x, span<const typename Network::scalar> d, span<typename Network::scalar> diagonal, span<typename Network::scalar> scratch)
{
    if (x.size() != Network::input_size || d.size() != Network::output_size) return status::size_mismatch;
    return gauss_newton_diagonal_unchecked<Loss>(net, x.data(), d.data(), diagonal, scratch);
}

/// sequential_inverse_hessian_unchecked() on `std::array`s or C arrays of the network's widths (checked at
/// compile time, array_length_must_match).
template <class Loss, class Network, class Input, class Target, detail::if_fixed<typename Network::scalar, Input, Target> = 0>
[[nodiscard]] status sequential_inverse_hessian(Network& net, const Input& x, const Target& d, span<typename Network::scalar> h_inverse, span<typename Network::scalar> scratch)
{
    static_assert(detail::sample_fits<Network, Input, Target>(), "");
    return sequential_inverse_hessian_unchecked<Loss>(net, detail::first_of(x), detail::first_of(d), h_inverse, scratch);
}

/// sequential_inverse_hessian_unchecked() on spans: status::size_mismatch, and nothing computed, unless x holds
/// input_size values and d output_size.
template <class Loss, class Network>
[[nodiscard]] status sequential_inverse_hessian(Network& net, span<const typename Network::scalar> x, span<const typename Network::scalar> d, span<typename Network::scalar> h_inverse, span<typename Network::scalar> scratch)
{
    if (x.size() != Network::input_size || d.size() != Network::output_size) return status::size_mismatch;
    return sequential_inverse_hessian_unchecked<Loss>(net, x.data(), d.data(), h_inverse, scratch);
}

/// exact_hessian_two_layer_unchecked() on `std::array`s or C arrays of the network's widths (checked at
/// compile time, array_length_must_match).
template <class Loss, class Network, class Input, class Target, detail::if_fixed<typename Network::scalar, Input, Target> = 0>
[[nodiscard]] status exact_hessian_two_layer(Network& net, const Input& x, const Target& d, span<typename Network::scalar> h, span<typename Network::scalar> scratch)
{
    static_assert(detail::sample_fits<Network, Input, Target>(), "");
    return exact_hessian_two_layer_unchecked<Loss>(net, detail::first_of(x), detail::first_of(d), h, scratch);
}

/// exact_hessian_two_layer_unchecked() on spans: status::size_mismatch, and nothing computed, unless x holds
/// input_size values and d output_size.
template <class Loss, class Network>
[[nodiscard]] status exact_hessian_two_layer(Network& net, span<const typename Network::scalar> x, span<const typename Network::scalar> d, span<typename Network::scalar> h, span<typename Network::scalar> scratch)
{
    if (x.size() != Network::input_size || d.size() != Network::output_size) return status::size_mismatch;
    return exact_hessian_two_layer_unchecked<Loss>(net, x.data(), d.data(), h, scratch);
}

}  // namespace microprop

#endif
