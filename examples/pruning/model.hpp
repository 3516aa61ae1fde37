// The pruning example's networks, trainers and RAM need (also read by CMake's RAM probe).
#ifndef MICROPROP_EXAMPLE_PRUNING_MODEL_HPP
#define MICROPROP_EXAMPLE_PRUNING_MODEL_HPP

#include <cstddef>

#include <microprop/microprop.hpp>
#include <microprop/pruning.hpp>

#include "../common/example.hpp"

namespace example_model {

/// The iris example's 4-16-3 network (131 parameters, 112 of them weights).
using iris_network = microprop::network<float, microprop::dense<4, 16>, microprop::relu, microprop::dense<16, 3>,
                                        microprop::softmax>;
using iris_trainer = microprop::trainer<iris_network, microprop::cross_entropy, microprop::sgd>;
/// Optimal Brain Surgeon's P x P inverse Hessian for it: 131^2 floats, 68.6 KB.
constexpr std::size_t iris_h_inverse_count = iris_network::parameter_count * iris_network::parameter_count;

/// The digits example's 64-32-10 network (2,410 parameters, 2,368 weights); its full inverse
/// Hessian would take 23 MB, so its OBS is layer-wise (65^2 + 33^2 floats, plus a 65^2 working copy).
using digits_network = microprop::network<float, microprop::dense<64, 32>, microprop::relu, microprop::dense<32, 10>,
                                          microprop::softmax>;
using digits_trainer = microprop::trainer<digits_network, microprop::cross_entropy, microprop::sgd>;

/// Iris's P x P inverse Hessian, then (once iris is done) digits' layer-wise OBS matrices:
/// they are never needed at the same time, so one buffer holds both (the example then fits
/// 128 KB parts).
union second_order_storage {
    /// Iris's OBS inverse Hessian, row-major.
    float iris_h_inverse[iris_h_inverse_count];
    /// Digits' layer-wise OBS (constructed in place when digits starts).
    microprop::layerwise_obs<digits_network> digits_obs;
    second_order_storage() : iris_h_inverse{} {}
};

constexpr std::size_t ram_bytes = 2 * sizeof(iris_network) + sizeof(iris_trainer) + sizeof(second_order_storage) +
                                  3 * sizeof(digits_network) + sizeof(digits_trainer) +
                                  sizeof(microprop::pruning_mask<digits_network>) + example::stack_reserve_bytes;

}  // namespace example_model

#endif
