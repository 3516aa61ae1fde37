// Pruned networks for inference: only the kept weights, stored row by row, and a forward pass
// that runs over them alone (kernels/sparse_forward/).
//
//   using net_t = microprop::network<float, microprop::dense<64, 32>, microprop::relu,
//                                    microprop::dense<32, 10>, microprop::softmax>;
//   using sparse_t = microprop::sparse<net_t, 600>;          // room for 600 kept weights
//   static sparse_t::parameters_type compressed;              // 3,212 bytes
//   status s = sparse_t::compress(net, mask, compressed);    // mask: pruning.hpp
//   static sparse_t model(compressed);                        // activation buffers + a pointer
//   std::size_t digit = microprop::argmax(model.forward(x));
//
// or, for parameters known at compile time (a blob, frozen.hpp), entirely in flash:
//
//   constexpr auto p = microprop::blob_parameters<net_t>(blob);
//   constexpr std::size_t kept = microprop::sparse_kept_weights<net_t>(p);   // nonzero weights
//   constexpr auto compressed = microprop::sparse<net_t, kept>::compress(p);
//
// Layout (sparse_parameters): per output row of every layer, its count of kept weights and
// its bias; per kept weight, its value (float) and its input index (std::uint8_t when no
// layer has more than 256 inputs, else std::uint16_t). So a kept weight costs 5 bytes
// instead of 4 for every weight: for the 64-32-10 digits network the sparse form is smaller
// than the float one from 21% pruned, than the int8 frozen one from 79%. Measured per
// inference of that network (tests/bench/README.md, "Pruned networks"): on the Cortex-M4F
// the dense stack costs 3,476 instructions and the sparse one 1,219 plus 4.3 a kept weight,
// faster from about 78% pruned; on the Cortex-M0 (soft float) the sparse one is faster at
// every level (0.59 of the time at 50% pruned, 0.20 at 90%).
//
// Training does not skip pruned weights, on purpose: pruning_mask::apply keeps them at zero
// and the dense kernels stream over those zeros with VLDM and VFMA at about one instruction
// a weight on the M4F, while skipping one (a per-weight test, or the indexed load of a sparse
// row) costs more than that for every weight kept. (On soft-float cores, where a kept weight
// costs about 176 instructions, skipping would pay; training there does not do it yet.)
#ifndef MICROPROP_SPARSE_HPP
#define MICROPROP_SPARSE_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "frozen.hpp"
#include "kernels/select_float.hpp"
#include "network.hpp"
#include "pruning.hpp"
#include "span.hpp"
#include "status.hpp"

namespace microprop {

namespace detail {

/// The widest input of Network's layers.
template <class Network>
constexpr std::size_t sparse_max_inputs()
{
    std::size_t widest = 0;
    for (const auto& layer : Network::layers) widest = layer.inputs > widest ? layer.inputs : widest;
    return widest;
}

/// Parameter q of weight W(j, i) of `layer`: row-major `[outputs][inputs]`, or the source
/// layer's matrix read transposed for a tied layer.
constexpr std::size_t sparse_weight_index(const layer_info& layer, std::size_t j, std::size_t i)
{
    return layer.transposed ? layer.weight_offset + i * layer.outputs + j : layer.weight_offset + j * layer.inputs + i;
}

}  // namespace detail

/// The kept weights of a pruned `Network`, row by row, for inference (see sparse).
/// Rows are those of every layer, layer after layer; row r has `kept[r]` weights, stored
/// from the sum of the counts before it in `values` (the weight) and `indices` (which input
/// it multiplies); entries past the last row's are zero. Bytes: Capacity * (4 +
/// sizeof(index_type)) + rows * (4 + sizeof(count_type)), plus padding to 4 bytes.
template <class Network, std::size_t Capacity>
struct sparse_parameters {
    /// An input index: std::uint8_t when no layer has more than 256 inputs, else std::uint16_t.
    using index_type =
        typename std::conditional<detail::sparse_max_inputs<Network>() <= 256, std::uint8_t, std::uint16_t>::type;
    /// A row's count of kept weights (0 to the layer's inputs).
    using count_type =
        typename std::conditional<detail::sparse_max_inputs<Network>() <= 255, std::uint8_t, std::uint16_t>::type;
    /// Output rows of every layer.
    static constexpr std::size_t row_count = [] {
        std::size_t rows = 0;
        for (const auto& layer : Network::layers) rows += layer.outputs;
        return rows;
    }();
    /// Room for kept weights.
    static constexpr std::size_t capacity = Capacity;

    /// Kept weights, row after row.
    std::array<float, Capacity> values;
    /// One bias per row.
    std::array<float, row_count> biases;
    /// The input each kept weight multiplies.
    std::array<index_type, Capacity> indices;
    /// Kept weights per row.
    std::array<count_type, row_count> kept;
};

/// Weights of `parameters` (network order) that are not zero: the Capacity that
/// sparse<Network, Capacity>::compress(parameters) needs. constexpr.
template <class Network>
constexpr std::size_t sparse_kept_weights(const std::array<float, Network::parameter_count>& parameters)
{
    std::size_t kept = 0;
    for (const auto& layer : Network::layers) {
        for (std::size_t j = 0; j < layer.outputs; ++j) {  // a tied layer counts its source's matrix again
            for (std::size_t i = 0; i < layer.inputs; ++i) {
                kept += parameters[detail::sparse_weight_index(layer, j, i)] != 0.0f ? 1 : 0;
            }
        }
    }
    return kept;
}

/// An inference-only pruned `Network` (a network<float, ...>, tied layers included) that
/// multiplies only its kept weights: forward(x) gives the network's outputs (same
/// activations, each row summed from its bias in input order, so within float rounding of
/// network::forward, whose kernels may sum in another order), with at most `Capacity`
/// kept weights in all. One difference by design: a pruned weight is not multiplied, so an
/// infinite or NaN input that reaches only pruned weights gives NaN in the dense network
/// (0 * inf) and not here.
///
/// Like frozen, the object holds a pointer to the parameters (a sparse_parameters, which
/// may be constexpr and so in flash) and the activation buffers: sizeof(sparse) ==
/// ram_bytes, and the parameters cost flash_bytes.
template <class Network, std::size_t Capacity>
class sparse : public detail::inference_stack<sparse<Network, Capacity>, sparse_parameters<Network, Capacity>,
                                              detail::frozen_scratch_count<Network>(), Network::input_size,
                                              Network::output_size> {
    using stack_base = detail::inference_stack<sparse, sparse_parameters<Network, Capacity>,
                                               detail::frozen_scratch_count<Network>(), Network::input_size,
                                               Network::output_size>;
    friend stack_base;
    static_assert(std::is_same<typename Network::scalar, float>::value,
                  "A sparse network is built from a network<float, ...>.");

public:
    /// The network it is built from.
    using network_type = Network;
    /// Kept weights, biases, indices and row counts.
    using parameters_type = sparse_parameters<Network, Capacity>;
    /// Activations, inputs and outputs are float.
    using scalar = float;
    /// Dense (and tied) layers.
    static constexpr std::size_t layer_count = Network::layer_count;
    /// Values per input sample.
    static constexpr std::size_t input_size = Network::input_size;
    /// Values per output.
    static constexpr std::size_t output_size = Network::output_size;
    /// Room for kept weights.
    static constexpr std::size_t capacity = Capacity;
    /// Output rows of every layer (one bias and one count each).
    static constexpr std::size_t row_count = parameters_type::row_count;
    /// The widest layer below the output (0 for a single layer).
    static constexpr std::size_t max_hidden_width = detail::frozen_max_hidden_width<Network>();
    /// Floats of the hidden ping-pong buffers (0, 1 or 2 of the widest hidden layer).
    static constexpr std::size_t scratch_count = detail::frozen_scratch_count<Network>();
    /// Flash (or RAM) of the parameters: sizeof(parameters_type).
    static constexpr std::size_t flash_bytes = sizeof(parameters_type);
    /// RAM of the object: the activation buffers and the parameter pointer (with the
    /// padding the pointer's alignment adds). sizeof(sparse) == ram_bytes.
    static constexpr std::size_t ram_bytes = stack_base::ram_bytes;

    /// A network over `parameters`, which must outlive it (built by compress()).
    explicit sparse(const parameters_type& parameters) : stack_base(parameters) {}

    /// Weights of `net` that `mask` keeps (the same for every Network value: only the
    /// mask matters). The Capacity compress(net, mask, out) needs.
    static std::size_t kept_weights(const pruning_mask<Network>& mask)
    {
        std::size_t kept = 0;
        for (const auto& layer : Network::layers) {
            for (std::size_t j = 0; j < layer.outputs; ++j) {
                for (std::size_t i = 0; i < layer.inputs; ++i) {
                    kept += mask.pruned(detail::sparse_weight_index(layer, j, i)) ? 0 : 1;
                }
            }
        }
        return kept;
    }

    /// Stores the weights of `net` that `mask` keeps, and every bias, into `out`: the
    /// network as mask.apply(net) leaves it (a pruned weight is dropped whatever its value;
    /// a kept weight is stored even when it is zero). A tied layer stores its own copy of
    /// the shared matrix, transposed. Returns size_mismatch when more than Capacity weights
    /// are kept, non_finite_parameter when a kept weight or a bias is NaN or infinite; `out`
    /// is then untouched. Cost: two passes over the mask, no extra storage.
    [[nodiscard]] static status compress(const Network& net, const pruning_mask<Network>& mask, parameters_type& out)
    {
        const auto p = net.parameters();
        if (kept_weights(mask) > Capacity) return status::size_mismatch;
        for (const auto& layer : Network::layers) {
            for (std::size_t j = 0; j < layer.outputs; ++j) {
                if (!detail::finite_float(p[layer.bias_offset + j])) return status::non_finite_parameter;
                for (std::size_t i = 0; i < layer.inputs; ++i) {
                    const std::size_t q = detail::sparse_weight_index(layer, j, i);
                    if (!mask.pruned(q) && !detail::finite_float(p[q])) return status::non_finite_parameter;
                }
            }
        }
        fill(out, [&](std::size_t q) { return !mask.pruned(q); }, p.data());
        return status::ok;
    }

    /// The sparse form of `parameters` (network order) keeping every nonzero weight:
    /// `constexpr auto c = sparse<net_t, sparse_kept_weights<net_t>(p)>::compress(p);` puts
    /// it in flash. Precondition: sparse_kept_weights<Network>(parameters) <= Capacity
    /// (a constant expression fails to compile otherwise) and finite parameters (check).
    static constexpr parameters_type compress(const std::array<float, Network::parameter_count>& parameters)
    {
        parameters_type out{};
        fill(out, [&](std::size_t q) { return parameters[q] != 0.0f; }, parameters.data());
        return out;
    }

    /// ok when every stored weight and bias is finite and the row counts fit the layers and
    /// Capacity and every index its layer, non_finite_parameter or size_mismatch otherwise.
    /// constexpr: `static_assert(sparse_t::check(c) == status::ok, "")`.
    [[nodiscard]] static constexpr status check(const parameters_type& parameters)
    {
        std::size_t first = 0;
        std::size_t row = 0;
        for (const auto& layer : Network::layers) {
            for (std::size_t j = 0; j < layer.outputs; ++j, ++row) {
                const std::size_t count = parameters.kept[row];
                if (count > layer.inputs || first + count > Capacity) return status::size_mismatch;
                if (!detail::finite_float(parameters.biases[row])) return status::non_finite_parameter;
                for (std::size_t k = first; k < first + count; ++k) {
                    if (parameters.indices[k] >= layer.inputs) return status::size_mismatch;
                    if (!detail::finite_float(parameters.values[k])) return status::non_finite_parameter;
                }
                first += count;
            }
        }
        return status::ok;
    }

private:
    /// Writes every weight q with keep(q) true, row by row, and every bias.
    template <class Keep>
    static constexpr void fill(parameters_type& out, Keep keep, const float* p)
    {
        std::size_t next = 0;
        std::size_t row = 0;
        for (const auto& layer : Network::layers) {
            for (std::size_t j = 0; j < layer.outputs; ++j, ++row) {
                std::size_t count = 0;
                for (std::size_t i = 0; i < layer.inputs; ++i) {
                    const std::size_t q = detail::sparse_weight_index(layer, j, i);
                    if (!keep(q)) continue;
                    out.values[next] = p[q];
                    out.indices[next] = static_cast<typename parameters_type::index_type>(i);
                    ++next;
                    ++count;
                }
                out.kept[row] = static_cast<typename parameters_type::count_type>(count);
                out.biases[row] = p[layer.bias_offset + j];
            }
        }
        for (std::size_t k = next; k < Capacity; ++k) {
            out.values[k] = 0.0f;
            out.indices[k] = 0;
        }
    }

    /// The forward pass of x into output_ (stack_base::forward calls it).
    void run(const float* x)
    {
        float* scratch = this->scratch_data();
        const float* in = x;
        const parameters_type& p = *this->parameters_;
        std::size_t first = 0;
        std::size_t row = 0;
        for (std::size_t l = 0; l < layer_count; ++l) {
            const layer_info& layer = Network::layers[l];
            float* out = l + 1 == layer_count ? this->output_.data() : scratch + (l % 2) * max_hidden_width;
            first += kernels::active::sparse_forward(p.values.data() + first, p.indices.data() + first,
                                                    p.kept.data() + row, p.biases.data() + row, in, out,
                                                    layer.outputs);
            kernels::active::activate(layer.activation, layer.activation_parameter, out, layer.outputs);
            row += layer.outputs;
            in = out;
        }
    }
};

}  // namespace microprop

#endif
