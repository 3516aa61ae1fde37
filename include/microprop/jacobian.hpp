// The input Jacobian J_ki = dy_k / dx_i by backpropagation (PRML 5.3.4).
#ifndef MICROPROP_JACOBIAN_HPP
#define MICROPROP_JACOBIAN_HPP

#include <cstddef>
#include <type_traits>

#include "kernels/dense_backward/reference.hpp"
#include "network.hpp"
#include "scalar.hpp"
#include "size_check.hpp"
#include "layers/activations.hpp"
#include "span.hpp"
#include "status.hpp"

namespace microprop {

/// g = dy_k/da^(L), the sensitivity of output k to the output layer's pre-activations
/// after a forward pass: e_k through the output activation (sigmoid: delta_kl sigma'(a_l);
/// softmax: delta_kl y_k - y_k y_l). The start of every per-output backward pass.
template <class Network>
void output_sensitivity(const model_ref<typename Network::scalar>& m, std::size_t k,
                        typename Network::scalar* g)
{
    using T = typename Network::scalar;
    for (std::size_t j = 0; j < Network::output_size; ++j) g[j] = j == k ? T(1) : T(0);
    const layer_info& top = Network::layers[Network::layer_count - 1];
    activation::backward(top.activation, static_cast<T>(top.activation_parameter),
                         m.activations + top.output_offset, g, top.outputs);
}

/// Writes J = dy/dx for input x into `jacobian` as an `[output_size][input_size]`
/// row-major matrix, one backward pass per output (PRML 5.73-5.74): row k starts
/// from dy_k/dy = e_k, passes the output activation (sigmoid: delta_kl sigma'(a_l);
/// softmax: delta_kl y_k - y_k y_l), then dy_k/da_j = h'(a_j) sum_l w_lj dy_k/da_l
/// down to the input. `scratch` holds 2 * Network::max_width values.
/// Runs a forward pass on x; changes no parameter. Unchecked: x must point at input_size
/// values (the checked forms below take an array or a span).
template <class Network>
[[nodiscard]] status input_jacobian_unchecked(Network& net, const typename Network::scalar* x,
                                    span<typename Network::scalar> jacobian,
                                    span<typename Network::scalar> scratch)
{
    static_assert(std::is_floating_point<typename Network::scalar>::value, "The input Jacobian needs a floating-point network: dequantize() a fixed-point one first.");
    using T = typename Network::scalar;
    MICROPROP_CHECK(jacobian.size() >= Network::output_size * Network::input_size, "jacobian too small");
    MICROPROP_CHECK(scratch.size() >= 2 * Network::max_width, "jacobian scratch too small");
    if (!all_finite(x, Network::input_size)) return status::non_finite_input;
    const model_ref<T> m = net.view();
    net.forward_unchecked(x);
    for (std::size_t k = 0; k < Network::output_size; ++k) {
        T* g = scratch.data();
        T* below = g + Network::max_width;
        output_sensitivity<Network>(m, k, g);
        for (std::size_t l = Network::layer_count; l-- > 0;) {
            const layer_info& layer = Network::layers[l];
            T* destination = l == 0 ? jacobian.data() + k * Network::input_size : below;
            if (Network::has_tied_layers && layer.transposed) {
                kernels::reference::dense_backward_input_transposed(m.parameters + layer.weight_offset, g,
                                                                    destination, layer.inputs, layer.outputs);
            } else {
                kernels::reference::dense_backward_input(m.parameters + layer.weight_offset, g, destination,
                                                         layer.inputs, layer.outputs);
            }
            if (l == 0) break;
            const layer_info& previous = Network::layers[l - 1];
            activation::backward(previous.activation, static_cast<T>(previous.activation_parameter),
                                 m.activations + previous.output_offset, below, previous.outputs);
            T* swap = g;
            g = below;
            below = swap;
        }
    }
    return status::ok;
}

/// input_jacobian_unchecked() on a `std::array` or C array of input_size values (checked at
/// compile time, array_length_must_match).
template <class Network, class Input, detail::if_fixed<typename Network::scalar, Input> = 0>
[[nodiscard]] status input_jacobian(Network& net, const Input& x, span<typename Network::scalar> jacobian,
                                    span<typename Network::scalar> scratch)
{
    static_assert(array_length_must_match<array_kind::input, detail::length_of<Input, typename Network::scalar>,
                                          Network::input_size>::value, "");
    return input_jacobian_unchecked(net, detail::first_of(x), jacobian, scratch);
}
/// input_jacobian_unchecked() on a span: status::size_mismatch, nothing written, unless
/// `x.size() == input_size`.
template <class Network>
[[nodiscard]] status input_jacobian(Network& net, span<const typename Network::scalar> x,
                                    span<typename Network::scalar> jacobian, span<typename Network::scalar> scratch)
{
    if (x.size() != Network::input_size) return status::size_mismatch;
    return input_jacobian_unchecked(net, x.data(), jacobian, scratch);
}

}  // namespace microprop

#endif
