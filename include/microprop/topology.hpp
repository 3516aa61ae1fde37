// Turns the layer list of a network type into a table of dense stages.
//
// `network<float, dense<4, 16>, relu, dense<16, 3>, softmax>` becomes two
// stages, each a dense layer and the activation that works in place on its
// output. A dense layer with no activation after it gets identity. A `tied<L>`
// layer becomes a stage whose widths are dense layer L's swapped and whose
// weights are layer L's, read transposed.
#ifndef MICROPROP_TOPOLOGY_HPP
#define MICROPROP_TOPOLOGY_HPP

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "layers/activations.hpp"
#include "layers/dense.hpp"
#include "layers/tied.hpp"

namespace microprop {

/// One dense stage as the engine sees it. Offsets index the network's
/// parameter vector (weights, then biases) and its activation buffer.
struct layer_info {
    /// Input width.
    std::size_t inputs;
    /// Output width.
    std::size_t outputs;
    /// First weight in the parameter vector (`[outputs][inputs]`, row-major).
    std::size_t weight_offset;
    /// First bias in the parameter vector (`outputs` values).
    std::size_t bias_offset;
    /// First output z^(l) in the activation buffer.
    std::size_t output_offset;
    /// The activation applied to this layer's outputs.
    activation_kind activation;
    /// The activation's parameter (leaky ReLU slope; 0 otherwise).
    float activation_parameter;
    /// Set for a tied layer: its weights are another layer's, read transposed (W(j, i)
    /// at weight_offset + i * outputs + j), and weight_offset is that layer's.
    bool transposed;
    /// The layer whose weights these are (the layer's own index unless transposed).
    std::size_t weight_source;
};

/// Fails to compile, naming both widths, when consecutive layers do not fit.
template <std::size_t previous_layer_outputs, std::size_t next_layer_inputs>
struct layer_widths_must_match {
    static_assert(previous_layer_outputs == next_layer_inputs,
                  "Layer widths do not match: a dense layer's input width must equal the previous "
                  "layer's output width (the two numbers are the template arguments of "
                  "microprop::layer_widths_must_match<previous_layer_outputs, next_layer_inputs> "
                  "in the note above).");
    /// True; the check is the static_assert above.
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

/// What a tied<L> layer resolves to: dense layer L's widths swapped.
template <std::size_t Inputs, std::size_t Outputs, std::size_t Source>
struct tied_dense {
    static constexpr std::size_t inputs = Inputs;
    static constexpr std::size_t outputs = Outputs;
    static constexpr std::size_t source = Source;
};
template <class Dense>
struct is_transposed : std::false_type {};
template <std::size_t I, std::size_t O, std::size_t S>
struct is_transposed<tied_dense<I, O, S>> : std::true_type {};
template <class Dense>
constexpr std::size_t weight_source(std::size_t own_index)
{
    if constexpr (is_transposed<Dense>::value) {
        return Dense::source;
    } else {
        return own_index;
    }
}

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
    static_assert(is_dense<First>::value || is_tied<First>::value,
                  "Every activation layer must directly follow a dense layer (the network starts "
                  "with an activation, or has two activations in a row).");
    using next = typename first_layer<Rest...>::type;
    static constexpr bool next_is_activation = is_activation<next>::value;
    using activation = std::conditional_t<next_is_activation, next, identity>;
    using type = typename prepend<stage<First, activation>,
                                  typename group_rest<next_is_activation, Rest...>::type>::type;
};

/// Fails to compile, naming both indices, when a tied layer does not name an earlier dense layer.
template <std::size_t tied_layer_index, std::size_t source_layer_index>
struct tied_source_must_be_an_earlier_layer {
    static_assert(source_layer_index < tied_layer_index,
                  "A tied layer must name an earlier dense layer: tied<L> at dense-layer position "
                  "tied_layer_index shares layer L = source_layer_index, which must come before it "
                  "(both numbers are the template arguments of "
                  "microprop::detail::tied_source_must_be_an_earlier_layer in the note above).");
    static constexpr bool value = true;
};

template <class List, std::size_t Index>
struct stage_at;
template <class First, class... Rest>
struct stage_at<type_list<First, Rest...>, 0> {
    using type = First;
};
template <class First, class... Rest, std::size_t Index>
struct stage_at<type_list<First, Rest...>, Index> {
    using type = typename stage_at<type_list<Rest...>, Index - 1>::type;
};

/// Replaces each tied<L> stage of `All` by a tied_dense with layer L's widths swapped.
template <class All, std::size_t Index, class Stage, bool Tied = is_tied<typename Stage::dense_layer>::value>
struct resolve_stage {
    using type = Stage;
};
template <class All, std::size_t Index, class Stage>
struct resolve_stage<All, Index, Stage, true> {
    static constexpr std::size_t source = Stage::dense_layer::source;
    static_assert(tied_source_must_be_an_earlier_layer<Index, source>::value, "");
    using source_dense = typename stage_at<All, (source < Index ? source : 0)>::type::dense_layer;
    static_assert(!is_tied<source_dense>::value,
                  "A tied layer must share the weights of a dense layer, not of another tied layer.");
    using type = stage<tied_dense<source_dense::outputs, source_dense::inputs, source>, typename Stage::activation>;
};

template <class All, class Sequence>
struct resolve_tied_impl;
template <class... Stages, std::size_t... Indices>
struct resolve_tied_impl<type_list<Stages...>, std::index_sequence<Indices...>> {
    // Resolved left to right: a tied layer can only name an earlier, already plain, stage.
    using type = type_list<typename resolve_stage<type_list<Stages...>, Indices, Stages>::type...>;
};
template <class List>
struct resolve_tied;
template <class... Stages>
struct resolve_tied<type_list<Stages...>> {
    using type = typename resolve_tied_impl<type_list<Stages...>, std::index_sequence_for<Stages...>>::type;
};

template <class... Stages>
constexpr std::array<layer_info, sizeof...(Stages)> make_layer_table(type_list<Stages...>)
{
    std::array<layer_info, sizeof...(Stages)> table{
        {layer_info{Stages::dense_layer::inputs, Stages::dense_layer::outputs, 0, 0, 0,
                    Stages::activation::kind, Stages::activation::parameter,
                    is_transposed<typename Stages::dense_layer>::value, 0}...}};
    const std::size_t sources[] = {weight_source<typename Stages::dense_layer>(0)...};
    std::size_t parameter_offset = 0;
    std::size_t output_offset = 0;
    for (std::size_t l = 0; l < table.size(); ++l) {
        layer_info& layer = table[l];
        layer.weight_source = layer.transposed ? sources[l] : l;
        if (layer.transposed) {
            // Shared weights: stored once, in the source layer's place; only biases are new.
            layer.weight_offset = table[layer.weight_source].weight_offset;
            layer.bias_offset = parameter_offset;
            parameter_offset += layer.outputs;
        } else {
            layer.weight_offset = parameter_offset;
            layer.bias_offset = parameter_offset + layer.inputs * layer.outputs;
            parameter_offset += layer.inputs * layer.outputs + layer.outputs;
        }
        layer.output_offset = output_offset;
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
