// Frozen layers: inference-only layers over const parameters (which may live in flash),
// and a fine-tuned model whose frozen backbone feeds a trainable head network.
//
//   using backbone = microprop::frozen<float, microprop::dense<64, 32>, microprop::relu>;
//   using head = microprop::network<float, microprop::dense<32, 10>, microprop::softmax>;
//   using model = microprop::fine_tuned<backbone, head>;
//   constexpr backbone::parameters_type pretrained = {...};   // in flash
//   model net(pretrained, 7);                                  // head drawn from seed 7
//   microprop::fine_tune_trainer<model, microprop::cross_entropy> tr(net);
//   status s = tr.train_sample(x, d);                          // x: 64 values, d: 10
//
// Backpropagation stops at the head by construction: the backbone has no gradient, no
// deltas and no optimizer state, and its parameters are only ever read through a pointer
// to const. The head is a plain network, so the Jacobian, Hessians, gradient check,
// diagnostics and serialisation apply to it as they are, fed with features(x).
#ifndef MICROPROP_FROZEN_HPP
#define MICROPROP_FROZEN_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "config.hpp"
#include "kernels/select_float.hpp"
#include "network.hpp"
#include "scalar.hpp"
#include "serialize.hpp"
#include "span.hpp"
#include "status.hpp"
#include "trainer.hpp"

namespace microprop {

/// Parameters of a frozen stack stored as int8 with one float scale per output row:
/// W(j, i) = scales[row] * weights[k] with row = the layer's first row + j and
/// k = the layer's first weight + j * inputs + i (layers one after another, each
/// `[outputs][inputs]` row-major, as in a network). Biases stay float.
template <std::size_t WeightCount, std::size_t RowCount>
struct int8_parameters {
    /// Every layer's weights, layer after layer, `[outputs][inputs]` row-major.
    std::array<std::int8_t, WeightCount> weights;
    /// One scale per output row, layer after layer.
    std::array<float, RowCount> scales;
    /// One bias per output row, layer after layer.
    std::array<float, RowCount> biases;
};

namespace detail {

constexpr std::size_t frozen_round_up(std::size_t bytes, std::size_t alignment)
{
    return (bytes + alignment - 1) / alignment * alignment;
}

/// True unless v is NaN or infinite: a test of the exponent bits, so that it holds under
/// -ffast-math (which may fold v == v to true) and in constant expressions.
constexpr bool finite_float(float v)
{
    return (__builtin_bit_cast(std::uint32_t, v) & 0x7f800000u) != 0x7f800000u;
}

/// The widest layer of Network below its output (0 for a single layer).
template <class Network>
constexpr std::size_t frozen_max_hidden_width()
{
    std::size_t widest = 0;
    for (std::size_t l = 0; l + 1 < Network::layer_count; ++l) {
        widest = Network::layers[l].outputs > widest ? Network::layers[l].outputs : widest;
    }
    return widest;
}
/// Weights of Network's layers (biases excluded).
template <class Network>
constexpr std::size_t frozen_weight_count()
{
    std::size_t n = 0;
    for (const auto& layer : Network::layers) n += layer.inputs * layer.outputs;
    return n;
}
/// Floats a frozen stack with Network's layers needs below its output: two ping-pong
/// buffers of the widest hidden layer, one with a single hidden layer, none without.
template <class Network>
constexpr std::size_t frozen_scratch_count()
{
    return (Network::layer_count >= 3 ? 2 : Network::layer_count - 1) * frozen_max_hidden_width<Network>();
}

/// Two ping-pong buffers of the widest hidden layer (one when there is a single hidden
/// layer, none without): what a frozen stack needs below its output.
template <std::size_t Count>
struct frozen_scratch {
    std::array<float, Count> scratch_{};
    float* scratch_data() { return scratch_.data(); }
};
template <>
struct frozen_scratch<0> {
    float* scratch_data() { return nullptr; }
};

/// What the inference-only stacks (frozen, and sparse in sparse.hpp) share: the hidden
/// ping-pong buffers, a pointer to const parameters and the output buffer, and forward()
/// over `Derived::run(const float* x)`, which fills output_.
template <class Derived, class Parameters, std::size_t ScratchCount, std::size_t InputSize, std::size_t OutputSize>
class inference_stack : protected frozen_scratch<ScratchCount> {
public:
    /// RAM of the object: the activation buffers and the parameter pointer (with the
    /// padding the pointer's alignment adds). sizeof(Derived) == ram_bytes.
    static constexpr std::size_t ram_bytes = frozen_round_up(
        frozen_round_up(ScratchCount * sizeof(float), alignof(const void*)) + sizeof(const void*) +
            OutputSize * sizeof(float),
        alignof(const void*));

    /// A stack over `parameters`, which must outlive it.
    explicit inference_stack(const Parameters& parameters) : parameters_(&parameters) {}

    /// Runs the layers on x; returns the output (OutputSize values, valid until the next call).
    span<const float> forward(const std::array<float, InputSize>& x)
    {
        static_cast<Derived*>(this)->run(x.data());
        return output();
    }
    /// The output of the last forward pass.
    span<const float> output() const { return span<const float>(output_.data(), OutputSize); }
    /// The output of the last forward pass as an array (what a head network's forward takes).
    const std::array<float, OutputSize>& output_array() const { return output_; }
    /// The parameters, read-only: an inference-only stack never writes them.
    const Parameters& parameters() const { return *parameters_; }

protected:
    /// The parameters (only ever read).
    const Parameters* parameters_;
    /// The last layer's output.
    std::array<float, OutputSize> output_{};
};

template <class Weight, std::size_t ParameterCount, std::size_t WeightCount, std::size_t RowCount>
struct frozen_storage;
template <std::size_t ParameterCount, std::size_t WeightCount, std::size_t RowCount>
struct frozen_storage<float, ParameterCount, WeightCount, RowCount> {
    using type = std::array<float, ParameterCount>;
};
template <std::size_t ParameterCount, std::size_t WeightCount, std::size_t RowCount>
struct frozen_storage<std::int8_t, ParameterCount, WeightCount, RowCount> {
    using type = int8_parameters<WeightCount, RowCount>;
};

/// The inference_stack a frozen<Weight, ...> with Network's layers derives from.
template <class Derived, class Weight, class Network>
using frozen_stack_base =
    inference_stack<Derived,
                    typename frozen_storage<Weight, Network::parameter_count, frozen_weight_count<Network>(),
                                            Network::parameter_count - frozen_weight_count<Network>()>::type,
                    frozen_scratch_count<Network>(), Network::input_size, Network::output_size>;

/// Fails to compile, naming both widths, when a backbone's output does not fit a head's input.
template <std::size_t backbone_outputs, std::size_t head_inputs>
struct backbone_must_fit_head {
    static_assert(backbone_outputs == head_inputs,
                  "fine_tuned: the backbone's output width (backbone_outputs) must equal the head's "
                  "input width (head_inputs); both are the template arguments of "
                  "microprop::detail::backbone_must_fit_head in the note above.");
    static constexpr bool value = true;
};

/// Instantiated only when a tool that takes a network reads a fine_tuned model's layer_count,
/// parameter_count or layers; then fails to compile with the sentence below.
template <class Model>
struct tools_take_the_head {
    static_assert(!std::is_same<Model, Model>::value,
                  "A fine_tuned model is not a network: the Jacobian, Hessians, gradient check, diagnostics "
                  "and save/load take its trainable part, model.head(), with model.features(x) as the input.");
    static constexpr std::size_t value = 0;
};

}  // namespace detail

/// Inference-only dense layers over const parameters: `frozen<float, dense<64, 32>, relu>`
/// (float weights) or `frozen<std::int8_t, dense<64, 32>, relu>` (int8 weights with one
/// float scale per output row, float biases). Layers are listed as for network<float, ...>
/// (tied layers are not supported); activations and outputs are float.
///
/// The object holds a pointer to the parameters (a `constexpr parameters_type`, which the
/// compiler places in flash) and the activation buffers: sizeof(frozen) == ram_bytes, and
/// the parameters cost flash_bytes of flash. It has no gradient, delta or optimizer state,
/// and cannot change its parameters: they are only reached through a pointer to const.
template <class Weight, class... Layers>
class frozen : public detail::frozen_stack_base<frozen<Weight, Layers...>, Weight, network<float, Layers...>> {
    using stack_base = detail::frozen_stack_base<frozen, Weight, network<float, Layers...>>;
    friend stack_base;
    static_assert(std::is_same<Weight, float>::value || std::is_same<Weight, std::int8_t>::value,
                  "A frozen stack stores its weights as float or as std::int8_t with per-row scales.");
    using reference_network = network<float, Layers...>;
    static_assert(!reference_network::has_tied_layers, "Frozen stacks do not support tied layers.");

public:
    /// Activations, inputs and outputs are float.
    using scalar = float;
    /// How the weights are stored (float, or std::int8_t with per-row scales).
    using weight_type = Weight;
    /// Dense layers.
    static constexpr std::size_t layer_count = reference_network::layer_count;
    /// The layer table, as network<float, Layers...>::layers (offsets into the float order).
    static constexpr std::array<layer_info, layer_count> layers = reference_network::layers;
    /// Values per input sample.
    static constexpr std::size_t input_size = reference_network::input_size;
    /// Values per output.
    static constexpr std::size_t output_size = reference_network::output_size;
    /// The last layer's activation.
    static constexpr activation_kind output_activation = reference_network::output_activation;
    /// Weights and biases, as in network<float, Layers...>.
    static constexpr std::size_t parameter_count = reference_network::parameter_count;
    /// Weights alone.
    static constexpr std::size_t weight_count = detail::frozen_weight_count<reference_network>();
    /// Output rows of every layer (= biases = int8 scales).
    static constexpr std::size_t row_count = parameter_count - weight_count;
    /// The parameters' type: `std::array<float, parameter_count>` in network order, or
    /// int8_parameters<weight_count, row_count>.
    using parameters_type = typename detail::frozen_storage<Weight, parameter_count, weight_count, row_count>::type;

    /// The widest layer below the output (0 for a single layer).
    static constexpr std::size_t max_hidden_width = detail::frozen_max_hidden_width<reference_network>();
    /// Floats of the hidden ping-pong buffers (0, 1 or 2 of the widest hidden layer).
    static constexpr std::size_t scratch_count = detail::frozen_scratch_count<reference_network>();

    /// Flash of the parameters (sizeof(parameters_type)): 4 bytes per float parameter; for
    /// int8, one byte per weight and 8 bytes (scale and bias) per output row, plus up to 3
    /// bytes of padding before the float arrays.
    static constexpr std::size_t flash_bytes = sizeof(parameters_type);
    /// RAM of the activation buffers (hidden ping-pong buffers and the output).
    static constexpr std::size_t activation_bytes = (scratch_count + output_size) * sizeof(float);
    /// The whole RAM of the object: the buffers and the parameter pointer (with the
    /// padding the pointer's alignment adds). sizeof(frozen) == ram_bytes.
    static constexpr std::size_t ram_bytes = stack_base::ram_bytes;

    /// A stack over `parameters`, which must outlive it (normally a constexpr object).
    explicit frozen(const parameters_type& parameters) : stack_base(parameters) {}

    /// ok when every parameter (and int8 scale) is finite, non_finite_parameter otherwise.
    /// constexpr: `static_assert(backbone::check(p) == status::ok, "")` checks at compile time.
    [[nodiscard]] static constexpr status check(const parameters_type& parameters)
    {
        if constexpr (std::is_same<Weight, float>::value) {
            for (float v : parameters) {
                if (!detail::finite_float(v)) return status::non_finite_parameter;
            }
        } else {
            for (std::size_t r = 0; r < row_count; ++r) {
                if (!detail::finite_float(parameters.scales[r]) || !detail::finite_float(parameters.biases[r])) {
                    return status::non_finite_parameter;
                }
            }
        }
        return status::ok;
    }

    /// int8 parameters from float ones in network order: per output row, scale =
    /// max_i |W(j, i)| / 127 and weight = round(W(j, i) / scale) (0 for an all-zero row).
    /// constexpr, so `constexpr auto q = frozen<std::int8_t, ...>::quantize(p);` costs no
    /// RAM and no code. Precondition: finite parameters (check them with the float stack).
    template <class W = Weight, std::enable_if_t<std::is_same<W, std::int8_t>::value, int> = 0>
    static constexpr parameters_type quantize(const std::array<float, parameter_count>& parameters)
    {
        parameters_type q{};
        std::size_t weight = 0;
        std::size_t row = 0;
        for (const layer_info& layer : layers) {
            for (std::size_t j = 0; j < layer.outputs; ++j, ++row) {
                const float* w = parameters.data() + layer.weight_offset + j * layer.inputs;
                float largest = 0.0f;
                for (std::size_t i = 0; i < layer.inputs; ++i) {
                    const float a = w[i] < 0.0f ? -w[i] : w[i];
                    largest = a > largest ? a : largest;
                }
                const float scale = largest / 127.0f;
                q.scales[row] = scale;
                q.biases[row] = parameters[layer.bias_offset + j];
                for (std::size_t i = 0; i < layer.inputs; ++i, ++weight) {
                    const float v = scale > 0.0f ? w[i] / scale : 0.0f;
                    long rounded = static_cast<long>(v < 0.0f ? v - 0.5f : v + 0.5f);
                    rounded = rounded > 127 ? 127 : (rounded < -127 ? -127 : rounded);
                    q.weights[weight] = static_cast<std::int8_t>(rounded);
                }
            }
        }
        return q;
    }

private:
    /// The forward pass of x into output_ (stack_base::forward calls it).
    void run(const float* x)
    {
        float* scratch = this->scratch_data();
        const float* in = x;
        std::size_t weight = 0;  // int8: first weight and row of the layer
        std::size_t row = 0;
        for (std::size_t l = 0; l < layer_count; ++l) {
            const layer_info& layer = layers[l];
            float* out = l + 1 == layer_count ? this->output_.data() : scratch + (l % 2) * max_hidden_width;
            if constexpr (std::is_same<Weight, float>::value) {
                const float* p = this->parameters_->data();
                kernels::active::dense_forward_activate(p + layer.weight_offset, p + layer.bias_offset, in, out,
                                                        layer.inputs, layer.outputs, layer.activation,
                                                        layer.activation_parameter);
            } else {
                const std::int8_t* w = this->parameters_->weights.data() + weight;
                for (std::size_t j = 0; j < layer.outputs; ++j) {
                    // Sum in the int8 units, scale once per row: one multiply per weight.
                    float acc = 0.0f;
                    for (std::size_t i = 0; i < layer.inputs; ++i) acc += static_cast<float>(w[j * layer.inputs + i]) * in[i];
                    out[j] = this->parameters_->biases[row + j] + this->parameters_->scales[row + j] * acc;
                }
                kernels::active::activate(layer.activation, layer.activation_parameter, out, layer.outputs);
                weight += layer.inputs * layer.outputs;
                row += layer.outputs;
            }
            in = out;
        }
    }
};

/// A frozen backbone (a frozen<...>) feeding a trainable head (a network<float, ...>):
/// forward runs both; fine_tune_trainer trains the head alone on the backbone's features.
///
/// RAM: sizeof(fine_tuned) == ram_bytes (the backbone's buffers and pointer, the head's
/// parameters and activations); flash: the backbone's parameters, flash_bytes.
template <class Backbone, class Head>
class fine_tuned {
    static_assert(std::is_same<typename Head::scalar, float>::value, "fine_tuned needs a float head network.");
    static_assert(detail::backbone_must_fit_head<Backbone::output_size, Head::input_size>::value, "");

public:
    /// The frozen part.
    using backbone_type = Backbone;
    /// The trainable part (a network).
    using head_type = Head;
    /// Float inputs and outputs.
    using scalar = float;
    /// Values per input sample (the backbone's input).
    static constexpr std::size_t input_size = Backbone::input_size;
    /// Values the backbone hands the head.
    static constexpr std::size_t feature_size = Backbone::output_size;
    /// Values per output (the head's output).
    static constexpr std::size_t output_size = Head::output_size;
    /// The head's last activation (what a loss must fit).
    static constexpr activation_kind output_activation = Head::output_activation;
    /// Trainable parameters (the head's).
    static constexpr std::size_t trainable_parameter_count = Head::parameter_count;
    /// Not a network's: reading it (as input_jacobian, the Hessians, check_gradient,
    /// layer_gradient_norms and save_parameters / load_parameters do) fails to compile with a
    /// sentence saying that they take head().
    static constexpr std::size_t layer_count = detail::tools_take_the_head<fine_tuned>::value;
    /// Not a network's: see layer_count.
    static constexpr std::size_t parameter_count = detail::tools_take_the_head<fine_tuned>::value;
    /// Not a network's: see layer_count.
    static constexpr std::size_t layers = detail::tools_take_the_head<fine_tuned>::value;
    /// Flash of the frozen parameters.
    static constexpr std::size_t flash_bytes = Backbone::flash_bytes;
    /// RAM of the object: backbone buffers and pointer, head parameters and activations.
    static constexpr std::size_t ram_bytes =
        detail::frozen_round_up(Backbone::ram_bytes + Head::bytes, alignof(Backbone) > alignof(Head) ? alignof(Backbone) : alignof(Head));

    /// A model over `backbone_parameters` (which must outlive it) with a zeroed head.
    explicit fine_tuned(const typename Backbone::parameters_type& backbone_parameters) : backbone_(backbone_parameters) {}
    /// A model whose head is drawn by network::initialize(head_seed, scheme).
    fine_tuned(const typename Backbone::parameters_type& backbone_parameters, std::uint32_t head_seed,
               init_scheme scheme = init_scheme::automatic)
        : backbone_(backbone_parameters), head_(head_seed, scheme)
    {
    }

    /// Backbone then head on x; returns the head's output.
    span<const float> forward(const std::array<float, input_size>& x)
    {
        backbone_.forward(x);
        return head_.forward(backbone_.output_array());
    }
    /// The backbone's output for x: the head's input (for the gradient check, Jacobian,
    /// Hessians and diagnostics, which apply to head()). Valid until the next call.
    const std::array<float, feature_size>& features(const std::array<float, input_size>& x)
    {
        backbone_.forward(x);
        return backbone_.output_array();
    }
    /// The output of the last forward pass.
    span<const float> output() const { return head_.output(); }

    /// The frozen backbone (its parameters are const whichever way it is reached).
    Backbone& backbone() { return backbone_; }
    /// The backbone, read-only.
    const Backbone& backbone() const { return backbone_; }
    /// The trainable head: a plain network (save_parameters / load_parameters, the
    /// Jacobian, Hessians, gradient check and diagnostics take it as it is).
    Head& head() { return head_; }
    /// The head, read-only.
    const Head& head() const { return head_; }

private:
    Backbone backbone_;
    Head head_;
};

/// Trains the head of a fine_tuned model per sample: the backbone runs forward, the head's
/// own trainer<Head, Loss, Optimizer> takes one step on its features. The backbone has no
/// state here; the trainer's RAM is the head trainer's (workspace_bytes).
///
/// Statuses: those of trainer::train_sample, plus non_finite_input and input_out_of_range
/// for the model's input x (tested before the backbone runs; input_limit() as the head
/// trainer's, default 1e6). Features beyond the head trainer's input_limit() give
/// input_out_of_range. On any status but ok the head and its optimizer state are unchanged.
template <class Model, class Loss, class Optimizer = sgd>
class fine_tune_trainer {
public:
    /// The head's trainer.
    using head_trainer_type = trainer<typename Model::head_type, Loss, Optimizer, 1>;
    /// Values per input sample.
    static constexpr std::size_t input_size = Model::input_size;
    /// Values per target.
    static constexpr std::size_t output_size = Model::output_size;
    /// RAM of the training buffers (deltas, gradient, optimizer state): the head's only.
    static constexpr std::size_t workspace_bytes = head_trainer_type::workspace_bytes;

    /// A trainer of `model` (which must outlive it).
    explicit fine_tune_trainer(Model& model, Optimizer optimizer = {})
        : model_(&model), head_trainer_(model.head(), optimizer)
    {
    }

    /// One step on (x, d): backbone forward, then the head trainer's train_sample on the features.
    [[nodiscard]] status train_sample(const std::array<float, input_size>& x, const std::array<float, output_size>& d)
    {
        const float limit = head_trainer_.input_limit();
        for (float v : x) {
            if (!detail::finite_float(v)) return status::non_finite_input;
            if (v > limit || v < -limit) return status::input_out_of_range;
        }
        return head_trainer_.train_sample(model_->features(x), d);
    }

    /// The head's trainer: optimizer, limits, last_loss(), optimizer_state() (and
    /// save_training_state / load_training_state take it as it is).
    head_trainer_type& head_trainer() { return head_trainer_; }
    /// The head's trainer, read-only.
    const head_trainer_type& head_trainer() const { return head_trainer_; }
    /// Loss of the last successful step.
    float last_loss() const { return head_trainer_.last_loss(); }

private:
    Model* model_;
    head_trainer_type head_trainer_;
};

/// The inference-only form of a float network type: the same layers over const parameters
/// in flash. `inference_only<network<float, dense<64, 32>, relu, dense<32, 10>, softmax>>`
/// is `frozen<float, dense<64, 32>, relu, dense<32, 10>, softmax>`.
template <class Network, class Weight = float>
struct inference_only_of;
/// Specialisation that reads the layers off network<float, Layers...>.
template <class... Layers, class Weight>
struct inference_only_of<network<float, Layers...>, Weight> {
    /// The frozen stack with the network's layers.
    using type = frozen<Weight, Layers...>;
};
/// The frozen stack with a network's layers (Weight float or std::int8_t).
template <class Network, class Weight = float>
using inference_only = typename inference_only_of<Network, Weight>::type;

/// RAM and flash an inference-only build of a trained Network needs for its model
/// (library code and the port's own RAM excluded: see README "Memory"):
/// parameters in flash, activation buffers and a pointer in RAM.
template <class Network, class Weight = float>
struct inference_footprint {
    /// RAM: the inference-only stack's sizeof (buffers and parameter pointer).
    static constexpr std::size_t ram_bytes = inference_only<Network, Weight>::ram_bytes;
    /// Flash: the parameters (float: 4 bytes each; int8: 1 per weight, 8 per output row).
    static constexpr std::size_t flash_bytes = inference_only<Network, Weight>::flash_bytes;
};

namespace detail {

template <std::size_t N>
constexpr std::uint32_t blob_u32(const std::array<std::uint8_t, N>& blob, std::size_t offset)
{
    return static_cast<std::uint32_t>(blob[offset]) | static_cast<std::uint32_t>(blob[offset + 1]) << 8 |
           static_cast<std::uint32_t>(blob[offset + 2]) << 16 | static_cast<std::uint32_t>(blob[offset + 3]) << 24;
}

template <std::size_t N>
constexpr std::uint32_t constexpr_crc32(const std::array<std::uint8_t, N>& blob, std::size_t n)
{
    std::uint32_t crc = ~0u;
    for (std::size_t k = 0; k < n; ++k) {
        crc ^= blob[k];
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

}  // namespace detail

/// Checks, at compile time if the blob is constexpr, that a version-2 blob (serialize.hpp)
/// holds the float parameters of `Stack` (a network<float, ...> or a frozen<float, ...> with
/// the same layers): blob_too_small, blob_version_unsupported, blob_corrupt (magic, CRC,
/// header), blob_length_mismatch, blob_topology_mismatch, blob_non_finite; ok otherwise.
/// An optimizer section after the parameters is allowed and ignored.
template <class Stack, std::size_t N>
[[nodiscard]] constexpr status check_parameter_blob(const std::array<std::uint8_t, N>& blob)
{
    using detail::blob_u32;
    if (N < detail::blob_header_bytes + detail::blob_trailer_bytes) return status::blob_too_small;
    const std::uint32_t magic = blob_u32(blob, 0);
    if ((magic & 0x00ffffffu) == detail::blob_magic_prefix && magic != detail::blob_magic) {
        return status::blob_version_unsupported;
    }
    if (magic != detail::blob_magic) return status::blob_corrupt;
    if (blob_u32(blob, 4) != N) return status::blob_length_mismatch;
    if (blob_u32(blob, N - 4) != detail::constexpr_crc32(blob, N - 4)) return status::blob_corrupt;
    if (blob_u32(blob, 8) != topology_hash<Stack>() || blob_u32(blob, 16) != Stack::parameter_count ||
        blob[20] != blob_scalar_kind<float>::value || blob[21] != 4) {
        return status::blob_topology_mismatch;
    }
    if (detail::blob_header_bytes + Stack::parameter_count * 4 + detail::blob_trailer_bytes > N) {
        return status::blob_corrupt;
    }
    for (std::size_t k = 0; k < Stack::parameter_count; ++k) {
        const float v = __builtin_bit_cast(float, blob_u32(blob, detail::blob_header_bytes + 4 * k));
        if (!detail::finite_float(v)) return status::blob_non_finite;
    }
    return status::ok;
}

/// The float parameters of a blob, in network order, decoded at compile time:
/// `constexpr auto p = blob_parameters<stack>(blob);` puts them in flash as a
/// `std::array<float, parameter_count>` (the blob itself is then not linked).
/// Precondition: check_parameter_blob<Stack>(blob) == status::ok (static_assert it).
template <class Stack, std::size_t N>
constexpr std::array<float, Stack::parameter_count> blob_parameters(const std::array<std::uint8_t, N>& blob)
{
    std::array<float, Stack::parameter_count> p{};
    for (std::size_t k = 0; k < Stack::parameter_count; ++k) {
        p[k] = __builtin_bit_cast(float, detail::blob_u32(blob, detail::blob_header_bytes + 4 * k));
    }
    return p;
}

}  // namespace microprop

#endif
