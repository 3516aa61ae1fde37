// Tied (shared, transposed) weights (THEORY 4, seed 004): a dense layer that uses an
// earlier dense layer's weight matrix transposed, as the decoder of a tied autoencoder.
#ifndef MICROPROP_LAYERS_TIED_HPP
#define MICROPROP_LAYERS_TIED_HPP

#include <cstddef>
#include <type_traits>

namespace microprop {

/// A dense layer whose weights are those of dense layer `Source` (0 = the network's first
/// dense layer), transposed: u = W_Source^T x + b.
///
/// Its widths are Source's swapped (inputs = Source's outputs, outputs = Source's inputs).
/// It has biases of its own but no weights: the shared matrix is stored once, in
/// Source's place in the parameter vector, and its gradient is the sum over both uses
/// (every output depends on a shared weight through the decoder directly and through
/// the hidden layer, THEORY 4).
///
///     // A 64-16-64 tied autoencoder: 64 * 16 + 16 + 64 parameters, not 2 * 64 * 16 + 80.
///     using autoencoder = network<float, dense<64, 16>, sigmoid, tied<0>, sigmoid>;
template <std::size_t Source>
struct tied {
    /// Index of the dense layer whose weights this layer uses, transposed.
    static constexpr std::size_t source = Source;
};

template <class L>
struct is_tied : std::false_type {};
template <std::size_t S>
struct is_tied<tied<S>> : std::true_type {};

}  // namespace microprop

#endif
