// Turns the layer list of a network type into a table of dense stages.
//
// `network<float, dense<4, 16>, relu, dense<16, 3>, softmax>` becomes two
// stages, each a dense layer and the activation that works in place on its
// output. A dense layer with no activation after it gets identity.
#ifndef MICROPROP_TOPOLOGY_HPP
#define MICROPROP_TOPOLOGY_HPP

#include <array>
#include <cstddef>
#include <type_traits>

#include "layers/activations.hpp"
#include "layers/dense.hpp"

namespace microprop {

/// One dense stage as the engine sees it. Offsets index the network's
/// parameter vector (weights, then biases) and its activation buffer.
struct layer_info {
    std::size_t inputs;
    std::size_t outputs;
    std::size_t weight_offset;
    std::size_t bias_offset;
    std::size_t output_offset;
    activation_kind activation;
    float activation_parameter;
};

/// Fails to compile, naming both widths, when consecutive layers do not fit.
template <std::size_t previous_layer_outputs, std::size_t next_layer_inputs>
struct layer_widths_must_match {
    static_assert(previous_layer_outputs == next_layer_inputs,
                  "Layer widths do not match: a dense layer's input width must equal the previous "
                  "layer's output width (the two numbers are the template arguments of "
                  "microprop::layer_widths_must_match<previous_layer_outputs, next_layer_inputs> "
                  "in the note above).");
    static constexpr bool value = true;
};

namespace detail {

template <class... Stages>
struct type_list {};

template <class Dense, class Activation>
struct stage {
    using dense_layer = Dense;
    using activation = Activation;
};

template <class Stage, class List>
struct prepend;
template <class Stage, class... Stages>
struct prepend<Stage, type_list<Stages...>> {
    using type = type_list<Stage, Stages...>;
};

template <class... Layers>
struct group_layers;

template <bool NextIsActivation, class... Rest>
struct group_rest;
template <class Activation, class... Rest>
struct group_rest<true, Activation, Rest...> {
    using type = typename group_layers<Rest...>::type;
};
template <class... Rest>
struct group_rest<false, Rest...> {
    using type = typename group_layers<Rest...>::type;
};

template <class... Layers>
struct first_layer {
    using type = void;
};
template <class First, class... Rest>
struct first_layer<First, Rest...> {
    using type = First;
};

template <>
struct group_layers<> {
    using type = type_list<>;
};
template <class First, class... Rest>
struct group_layers<First, Rest...> {
    static_assert(is_dense<First>::value,
                  "Every activation layer must directly follow a dense layer (the network starts "
                  "with an activation, or has two activations in a row).");
    using next = typename first_layer<Rest...>::type;
    static constexpr bool next_is_activation = is_activation<next>::value;
    using activation = std::conditional_t<next_is_activation, next, identity>;
    using type = typename prepend<stage<First, activation>,
                                  typename group_rest<next_is_activation, Rest...>::type>::type;
};

template <class... Stages>
constexpr std::array<layer_info, sizeof...(Stages)> make_layer_table(type_list<Stages...>)
{
    std::array<layer_info, sizeof...(Stages)> table{
        {layer_info{Stages::dense_layer::inputs, Stages::dense_layer::outputs, 0, 0, 0,
                    Stages::activation::kind, Stages::activation::parameter}...}};
    std::size_t parameter_offset = 0;
    std::size_t output_offset = 0;
    for (auto& layer : table) {
        layer.weight_offset = parameter_offset;
        layer.bias_offset = parameter_offset + layer.inputs * layer.outputs;
        layer.output_offset = output_offset;
        parameter_offset += layer.inputs * layer.outputs + layer.outputs;
        output_offset += layer.outputs;
    }
    return table;
}

template <class First, class Second>
constexpr bool check_pair()
{
    return layer_widths_must_match<First::dense_layer::outputs, Second::dense_layer::inputs>::value;
}

template <class... Stages>
struct widths_check;
template <class Only>
struct widths_check<type_list<Only>> {
    static constexpr bool value = true;
};
template <class First, class Second, class... Rest>
struct widths_check<type_list<First, Second, Rest...>> {
    static constexpr bool value =
        check_pair<First, Second>() && widths_check<type_list<Second, Rest...>>::value;
};

template <class List>
struct stage_count;
template <class... Stages>
struct stage_count<type_list<Stages...>> {
    static constexpr std::size_t value = sizeof...(Stages);
};

}  // namespace detail
}  // namespace microprop

#endif
