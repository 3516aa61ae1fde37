// A multilayer perceptron whose topology is its type.
#ifndef MICROPROP_NETWORK_HPP
#define MICROPROP_NETWORK_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "engine.hpp"
#include "engine_unrolled.hpp"
#include "random.hpp"
#include "size_check.hpp"
#include "span.hpp"
#include "status.hpp"
#include "topology.hpp"

namespace microprop {

/// How initialize() draws the weights (biases start at zero).
enum class init_scheme : std::uint8_t {
    automatic,       ///< he_uniform before ReLU-type activations, glorot_uniform elsewhere
    glorot_uniform,  ///< U(-a, a), a = sqrt(6 / (inputs + outputs)) (Glorot & Bengio 2010)
    he_uniform,      ///< U(-a, a), a = sqrt(6 / inputs) (He et al. 2015)
};

/// A feed-forward network: `network<float, dense<4, 16>, relu, dense<16, 3>, softmax>`.
///
/// Layers are listed input to output. Each `dense<In, Out>` may be followed by
/// one activation (identity when none); softmax may only come last. The input
/// and output sizes come from the first and last dense layer, and consecutive
/// widths are checked at compile time.
///
/// Memory: the object holds exactly the parameters and one output buffer per
/// dense layer, as `std::array`s (sizeof(network) == bytes). It is a value
/// type: copying it copies the weights. Training state lives in trainer.
///
/// Parameter order (one contiguous vector, see parameters()): layer 0's
/// weights `[out][in]` row-major, layer 0's biases, layer 1's weights, ...
/// A `tied<L>` layer (layers/tied.hpp) adds only its biases: its weights are
/// layer L's, stored once in layer L's place.
template <class T, class... Layers>
class network {
    static_assert(sizeof...(Layers) > 0, "A network needs at least one dense layer.");
    using stage_list = typename detail::resolve_tied<typename detail::group_layers<Layers...>::type>::type;
    static_assert(detail::widths_check<stage_list>::value, "Layer widths do not match.");

public:
    /// The scalar type (float or double).
    using scalar = T;
    /// Dense (and tied) layers.
    static constexpr std::size_t layer_count = detail::stage_count<stage_list>::value;
    /// One entry per dense layer: sizes, offsets and the activation after it.
    static constexpr std::array<layer_info, layer_count> layers = detail::make_layer_table(stage_list{});

    /// Values per input sample.
    static constexpr std::size_t input_size = layers[0].inputs;
    /// Values per output.
    static constexpr std::size_t output_size = layers[layer_count - 1].outputs;
    /// The last layer's activation (what a loss must fit).
    static constexpr activation_kind output_activation = layers[layer_count - 1].activation;
    /// Weights and biases of every layer (a tied layer's shared matrix counted once).
    static constexpr std::size_t parameter_count =
        layers[layer_count - 1].bias_offset + layers[layer_count - 1].outputs;
    /// Outputs of every layer: the activation buffer's length.
    static constexpr std::size_t activation_count =
        layers[layer_count - 1].output_offset + layers[layer_count - 1].outputs;
    /// True when some layer is tied<L> (layers/tied.hpp).
    static constexpr bool has_tied_layers = [] {
        for (const auto& layer : layers) {
            if (layer.transposed) return true;
        }
        return false;
    }();
    /// True when some layer is tied<L> with L > 0. Fused per-sample SGD updates each layer
    /// as the deltas pass it, so layer L's own backward step would then read weights the
    /// tied layer has already changed; trainers keep a gradient buffer for such networks.
    static constexpr bool ties_past_first_layer = [] {
        for (const auto& layer : layers) {
            if (layer.transposed && layer.weight_source > 0) return true;
        }
        return false;
    }();
    /// The widest layer, input included: the size of a trainer's delta buffers.
    static constexpr std::size_t max_width = [] {
        std::size_t widest = layers[0].inputs;
        for (const auto& layer : layers) widest = layer.outputs > widest ? layer.outputs : widest;
        return widest;
    }();

    /// RAM of the parameters.
    static constexpr std::size_t parameter_bytes = parameter_count * sizeof(T);
    /// RAM of the activation buffer.
    static constexpr std::size_t activation_bytes = activation_count * sizeof(T);
    /// The whole RAM cost of an inference-only network.
    static constexpr std::size_t bytes = parameter_bytes + activation_bytes;

    static_assert([] {
        for (std::size_t l = 0; l + 1 < layer_count; ++l) {
            if (layers[l].activation == activation_kind::softmax) return false;
        }
        return true;
    }(), "softmax may only be the network's last layer.");

    /// All parameters zero; call initialize() or load weights before use.
    network() = default;
    /// Parameters drawn by initialize(seed, scheme).
    explicit network(std::uint32_t seed, init_scheme scheme = init_scheme::automatic)
    {
        initialize(seed, scheme);
    }

    /// Draws every weight from the library's PRNG (bit-identical for the same
    /// seed on every platform) and zeroes the biases.
    void initialize(std::uint32_t seed, init_scheme scheme = init_scheme::automatic)
    {
        random_generator rng(seed);
        for (const layer_info& layer : layers) {
            const bool rectifier = layer.activation == activation_kind::relu ||
                                   layer.activation == activation_kind::leaky_relu;
            const bool use_he = scheme == init_scheme::he_uniform ||
                                (scheme == init_scheme::automatic && rectifier);
            // A fixed-point network draws the float network's weights and rounds them, so that
            // it starts where quantize() of the float network with the same seed would.
            using draw_type = typename std::conditional<std::is_floating_point<T>::value, T, float>::type;
            const draw_type fan = static_cast<draw_type>(use_he ? layer.inputs : layer.inputs + layer.outputs);
            const draw_type limit = scalar_ops<draw_type>::sqrt(draw_type(6) / fan);
            T* w = parameters_.data() + layer.weight_offset;
            if (!layer.transposed) {  // a tied layer's weights are drawn for its source
                for (std::size_t k = 0; k < layer.inputs * layer.outputs; ++k) {
                    w[k] = static_cast<T>(rng.uniform<draw_type>(-limit, limit));
                }
            }
            T* b = parameters_.data() + layer.bias_offset;
            for (std::size_t k = 0; k < layer.outputs; ++k) b[k] = T(0);
        }
    }

    /// Runs the network on a `std::array<T, N>` or C array `T[N]` of inputs; returns the
    /// output (output_size values, valid until the next forward pass). N must equal
    /// input_size: a wrong length is a compile-time error naming both (array_length_must_match).
    /// Reads `input_size * sizeof(T)` bytes; writes only the activations.
    template <class Input, detail::if_fixed<T, Input> = 0>
    MICROPROP_ALWAYS_INLINE span<const T> forward(const Input& x)
    {
        static_assert(array_length_must_match<array_kind::input, detail::length_of<Input, T>, input_size>::value, "");
        return forward_unchecked(detail::first_of(x));
    }
    /// Runs the network on a span of inputs, checked at run time: status::size_mismatch,
    /// and the activations untouched, unless `x.size() == input_size`; else ok, and
    /// output() holds the result.
    [[nodiscard]] MICROPROP_ALWAYS_INLINE status forward(span<const T> x)
    {
        if (x.size() != input_size) return status::size_mismatch;
        forward_unchecked(x.data());
        return status::ok;
    }
    /// Runs the network on the values at x without any check: the caller vouches that x
    /// points at input_size values (reads `input_size * sizeof(T)` bytes). Returns the output.
    span<const T> forward_unchecked(const T* x)
    {
        if constexpr (engine::unrolled::applies<network>) {
            engine::unrolled::forward<network>(view(), x);
        } else {
            engine::forward<T, has_tied_layers>(view(), x);
        }
        return output();
    }

    /// The output of the last forward pass (`output_size` values).
    span<const T> output() const
    {
        return span<const T>(activations_.data() + layers[layer_count - 1].output_offset, output_size);
    }
    /// Output z^(l) of dense layer l (after its activation) from the last forward pass.
    span<const T> layer_output(std::size_t l) const
    {
        MICROPROP_CHECK(l < layer_count, "layer index out of range");
        return span<const T>(activations_.data() + layers[l].output_offset, layers[l].outputs);
    }

    /// Every weight and bias as one vector, in the documented order.
    span<T> parameters() { return span<T>(parameters_.data(), parameter_count); }
    /// The parameter vector, read-only.
    span<const T> parameters() const { return span<const T>(parameters_.data(), parameter_count); }

    /// Weights of dense layer l as an `[outputs][inputs]` row-major matrix. For a tied
    /// layer: the shared matrix as its source stores it, `[inputs][outputs]` of layer l.
    matrix_view<T> weights(std::size_t l)
    {
        MICROPROP_CHECK(l < layer_count, "layer index out of range");
        return matrix_view<T>(parameters_.data() + layers[l].weight_offset, stored_rows(l), stored_columns(l));
    }
    /// weights(l), read-only.
    matrix_view<const T> weights(std::size_t l) const
    {
        MICROPROP_CHECK(l < layer_count, "layer index out of range");
        return matrix_view<const T>(parameters_.data() + layers[l].weight_offset, stored_rows(l), stored_columns(l));
    }
    /// Biases of dense layer l (`outputs` values).
    span<T> biases(std::size_t l)
    {
        MICROPROP_CHECK(l < layer_count, "layer index out of range");
        return span<T>(parameters_.data() + layers[l].bias_offset, layers[l].outputs);
    }
    /// biases(l), read-only.
    span<const T> biases(std::size_t l) const
    {
        MICROPROP_CHECK(l < layer_count, "layer index out of range");
        return span<const T>(parameters_.data() + layers[l].bias_offset, layers[l].outputs);
    }

    /// The layer table and buffers, for the engine, trainers and diagnostics.
    model_ref<T> view() { return model_ref<T>{layers.data(), layer_count, parameters_.data(), activations_.data()}; }

private:
    /// Shape of layer l's weights as stored (a tied layer's are its source's, transposed).
    static constexpr std::size_t stored_rows(std::size_t l)
    {
        return layers[l].transposed ? layers[l].inputs : layers[l].outputs;
    }
    static constexpr std::size_t stored_columns(std::size_t l)
    {
        return layers[l].transposed ? layers[l].outputs : layers[l].inputs;
    }

    std::array<T, parameter_count> parameters_{};
    std::array<T, activation_count> activations_{};
};

/// Index of the largest value (the predicted class of a classifier).
template <class T>
std::size_t argmax(span<const T> values)
{
    std::size_t best = 0;
    for (std::size_t k = 1; k < values.size(); ++k) best = values[k] > values[best] ? k : best;
    return best;
}

}  // namespace microprop

#endif
