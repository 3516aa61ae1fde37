// Dense (affine) layer: u = W x + b (DLfS 5.6 "Affine", DL 4.14a).
#ifndef MICROPROP_LAYERS_DENSE_HPP
#define MICROPROP_LAYERS_DENSE_HPP

#include <cstddef>
#include <type_traits>

namespace microprop {

/// A fully connected layer from `Inputs` to `Outputs` units.
///
/// Parameters, in this order inside the network's parameter vector:
/// weights W, row-major `[Outputs][Inputs]` (W(j, i) connects input i to
/// output j), then biases b `[Outputs]`.
template <std::size_t Inputs, std::size_t Outputs>
struct dense {
    static_assert(Inputs > 0, "A dense layer needs at least one input.");
    static_assert(Outputs > 0, "A dense layer needs at least one output.");
    /// Input width.
    static constexpr std::size_t inputs = Inputs;
    /// Output width.
    static constexpr std::size_t outputs = Outputs;
    /// Weights: Inputs * Outputs.
    static constexpr std::size_t weight_count = Inputs * Outputs;
    /// Weights and biases.
    static constexpr std::size_t parameter_count = Inputs * Outputs + Outputs;
};

template <class L>
struct is_dense : std::false_type {};
template <std::size_t I, std::size_t O>
struct is_dense<dense<I, O>> : std::true_type {};

}  // namespace microprop

#endif
