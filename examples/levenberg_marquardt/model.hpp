// The levenberg_marquardt example's network, its three trainers and their RAM need
// (also read by CMake's RAM probe).
#ifndef MICROPROP_EXAMPLE_LEVENBERG_MARQUARDT_MODEL_HPP
#define MICROPROP_EXAMPLE_LEVENBERG_MARQUARDT_MODEL_HPP

#include <cstddef>

#include <microprop/levenberg_marquardt.hpp>
#include <microprop/microprop.hpp>

#include "../common/example.hpp"

namespace example_model {

/// 1-10-1: one tanh hidden layer, linear output; P = 31 parameters.
using network = microprop::network<float, microprop::dense<1, 10>, microprop::tanh, microprop::dense<10, 1>>;
/// E = 1/2 (y - d)^2 for every method.
using sgd_trainer = microprop::trainer<network, microprop::squared_error, microprop::sgd>;
/// Adam on minibatches of 4, as the sine example trains.
constexpr std::size_t batch_size = 4;
using adam_trainer = microprop::trainer<network, microprop::squared_error, microprop::adam, batch_size>;
/// One damped Gauss-Newton step per epoch over the whole training set.
using lm_trainer = microprop::levenberg_marquardt<network>;

constexpr std::size_t ram_bytes = sizeof(network) + sizeof(sgd_trainer) + sizeof(adam_trainer) + sizeof(lm_trainer) +
                                  example::stack_reserve_bytes;

}  // namespace example_model

#endif
