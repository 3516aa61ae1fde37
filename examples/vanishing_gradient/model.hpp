// The vanishing-gradient demonstration's two networks and RAM need (also read by CMake's RAM probe).
#ifndef MICROPROP_EXAMPLE_VANISHING_GRADIENT_MODEL_HPP
#define MICROPROP_EXAMPLE_VANISHING_GRADIENT_MODEL_HPP

#include <cstddef>

#include <microprop/microprop.hpp>

#include "../common/example.hpp"

namespace example_model {

/// Seven hidden layers of width 8 with activation Act, then a linear output unit.
template <class Act>
using deep = microprop::network<float, microprop::dense<8, 8>, Act, microprop::dense<8, 8>, Act,
                                microprop::dense<8, 8>, Act, microprop::dense<8, 8>, Act, microprop::dense<8, 8>,
                                Act, microprop::dense<8, 8>, Act, microprop::dense<8, 8>, Act,
                                microprop::dense<8, 1>>;
using sigmoid_network = deep<microprop::sigmoid>;
using relu_network = deep<microprop::relu>;

/// Both networks, the gradient scratch of layer_gradient_norms (one network's
/// parameters) and the stack.
constexpr std::size_t ram_bytes = sizeof(sigmoid_network) + sizeof(relu_network) +
                                  sigmoid_network::parameter_bytes + example::stack_reserve_bytes;

}  // namespace example_model

#endif
