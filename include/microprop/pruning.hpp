// Pruning: removing weights by how little the loss needs them, and keeping them removed.
//
//     mp::pruning_mask<net_t> mask;                          // one bit per parameter
//     // magnitude:  saliency_q = w_q^2
//     mp::magnitude_saliency(net, saliency);
//     // Optimal Brain Damage (LeCun, Denker & Solla 1990): saliency_q = h_qq w_q^2 / 2,
//     // h the diagonal Hessian summed over the data (hessian.hpp, PRML 5.79-5.81)
//     mp::obd_saliency(net, hessian_diagonal, saliency);
//     mp::prune_lowest(net, mask, saliency, count);          // zero the `count` least salient weights
//     // Optimal Brain Surgeon (Hassibi & Stork 1993): needs H^-1 (P x P, sequential_inverse_hessian)
//     mp::prune_optimal_brain_surgeon(net, mask, h_inverse, count);  // removes, and moves the others
//     ...
//     status s = tr.train_sample(x, d); mask.apply(net);     // retraining keeps pruned weights at zero
//
// Only weights are pruned, never biases (a bias costs one value and no multiplications).
// OBD assumes the Hessian is diagonal and the weights sit at a minimum: removing w_q then
// raises the loss by h_qq w_q^2 / 2. OBS keeps the off-diagonal terms: removing w_q and
// moving every other weight by dw = -(w_q / [H^-1]_qq) H^-1 e_q raises it by only
// w_q^2 / (2 [H^-1]_qq), the smallest rise the quadratic model allows with w_q = 0
// (PRML exercise 5.28 sets up the same quadratic model). Each removal then conditions H^-1
// on w_q = 0 (H^-1 <- H^-1 - H^-1 e_q e_q^T H^-1 / [H^-1]_qq), so the next choice knows the
// weights already gone. OBS needs the P x P inverse: P^2 values, which is why it is for small
// networks (iris 4-16-3: P = 131, 69 KB in float; digits 64-32-10: P = 2,410, 23 MB).
//
// Layer-wise OBS (Dong, Chen & Pan 2017) makes OBS fit larger networks:
//     mp::layerwise_obs<net_t> obs;                          // sum over layers of (in+1)^2 values
//     obs.reset(); for each x: obs.accumulate(net, x);       // H_l = (1/N) sum [y 1][y 1]^T
//     obs.invert(1e-3f);                                     // (H_l + damping I)^-1 by Cholesky
//     obs.prune(net, mask, count);                           // OBS within each output row
// Each layer is pruned to keep its own pre-activations u = W y + b, not the network's loss:
// for one output row the error (1/2N) sum_n (w . [y_n 1] - u_n)^2 is exactly quadratic with
// Hessian H_l, the same for every row of the layer, so one (in+1)^2 inverse per layer serves
// all its rows (digits: 65^2 + 33^2 floats, 21 KB, plus a 65^2 working copy). Within a row it
// is exact OBS: the row lands on the least-squares reconstruction of u with the removed
// weights at zero. For a single linear layer under squared error it is full OBS.
// Measured on examples/pruning's digits 64-32-10 (359 test images, test accuracy after
// pruning 50% / 75% / 90% of the weights, before retraining; damping 1e-3):
//     conditioned, budget across layers (prune)             0.972 / 0.964 / 0.911
//     unconditioned (Dong et al.), across layers            0.972 / 0.961 / 0.808
//     conditioned, same fraction per layer (prune_layer)    0.967 / 0.958 / 0.894
//     unconditioned, same fraction per layer                0.972 / 0.950 / 0.816
// (damping 1e-4 to 1e-1 moves the conditioned figures by at most 0.003 at 75% and 0.011 at 90%).
// Conditioning each row's copy of H^-1 is what matters once rows lose many weights; letting
// the saliency pick the layers is slightly better than a fixed fraction per layer. So
// prune() conditions and chooses across layers by default.
//
// The kernels do not yet skip pruned weights: pruning here buys accuracy per weight (and a
// model that compresses), not time per step.
#ifndef MICROPROP_PRUNING_HPP
#define MICROPROP_PRUNING_HPP

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "scalar.hpp"
#include "span.hpp"
#include "status.hpp"

namespace microprop {

namespace detail {

/// Conditions the n x n inverse Hessian h_inverse (row-major, symmetric) on parameter q being
/// held at zero: H^-1 <- H^-1 - H^-1 e_q e_q^T H^-1 / [H^-1]_qq, then row and column q zero
/// (a Schur complement step). Precondition: [H^-1]_qq > 0. Cost: n^2 multiply-adds.
template <class T>
void condition_inverse_on_zero(T* h_inverse, std::size_t n, std::size_t q)
{
    const T pivot = h_inverse[q * n + q];
    for (std::size_t r = 0; r < n; ++r) {
        if (r == q) continue;
        const T factor = h_inverse[r * n + q] / pivot;
        if (factor == T(0)) continue;
        for (std::size_t c = 0; c < n; ++c) {
            if (c != q) h_inverse[r * n + c] -= factor * h_inverse[q * n + c];
        }
    }
    for (std::size_t r = 0; r < n; ++r) h_inverse[r * n + q] = h_inverse[q * n + r] = T(0);
}

}  // namespace detail

/// Which parameters of a `Network` are pruned: one bit each (bytes: 4 per 32 parameters).
/// Only weights can be pruned; biases are never.
template <class Network>
class pruning_mask {
public:
    /// Parameters of the network (bits of the mask).
    static constexpr std::size_t parameter_count = Network::parameter_count;
    /// True when parameter q is a weight (not a bias): only those can be pruned.
    static constexpr bool is_weight(std::size_t q)
    {
        for (const auto& layer : Network::layers) {
            if (q >= layer.bias_offset && q < layer.bias_offset + layer.outputs) return false;
        }
        return q < parameter_count;
    }
    /// Weights of the network (a tied layer's shared matrix counted once): the prunable parameters.
    static constexpr std::size_t weight_count = [] {
        std::size_t n = 0;
        for (std::size_t q = 0; q < parameter_count; ++q) n += is_weight(q) ? 1 : 0;
        return n;
    }();

    /// True when parameter q is pruned.
    bool pruned(std::size_t q) const { return (bits_[q / 32] >> (q % 32)) & 1u; }
    /// Marks weight q pruned (a bias or an index past the end is ignored).
    void prune(std::size_t q)
    {
        if (q < parameter_count && is_weight(q) && !pruned(q)) {
            bits_[q / 32] |= std::uint32_t(1) << (q % 32);
            ++pruned_count_;
        }
    }
    /// Weights pruned so far.
    std::size_t pruned_count() const { return pruned_count_; }
    /// Unprunes everything.
    void clear()
    {
        for (auto& word : bits_) word = 0;
        pruned_count_ = 0;
    }
    /// Sets every pruned weight of `net` to zero: call it after each training step, so the
    /// optimizer's update of a pruned weight never survives the step.
    void apply(Network& net) const
    {
        auto p = net.parameters();
        for (std::size_t w = 0; w < bits_.size(); ++w) {
            std::uint32_t word = bits_[w];
            while (word != 0) {
                const std::size_t bit = static_cast<std::size_t>(__builtin_ctz(word));
                p[w * 32 + bit] = typename Network::scalar(0);
                word &= word - 1;
            }
        }
    }

private:
    std::array<std::uint32_t, (parameter_count + 31) / 32> bits_{};
    std::size_t pruned_count_ = 0;
};

/// Magnitude saliency w_q^2 of every parameter into `saliency` (P values; a bias gets
/// +infinity, so it is never the least salient). Precondition: saliency.size() >= P.
template <class Network>
void magnitude_saliency(const Network& net, span<typename Network::scalar> saliency)
{
    using T = typename Network::scalar;
    const auto p = net.parameters();
    for (std::size_t q = 0; q < Network::parameter_count; ++q) {
        saliency[q] = pruning_mask<Network>::is_weight(q) ? p[q] * p[q] : T(INFINITY);
    }
}

/// Optimal Brain Damage saliency h_qq w_q^2 / 2 into `saliency` (P values; biases +infinity)
/// from `hessian_diagonal`, the diagonal of the loss's Hessian summed over the data
/// (hessian_diagonal() of hessian.hpp, called per sample). A negative h_qq (away from a
/// minimum) counts as zero: removing that weight is not expected to raise the loss.
template <class Network>
void obd_saliency(const Network& net, span<const typename Network::scalar> hessian_diagonal,
                  span<typename Network::scalar> saliency)
{
    using T = typename Network::scalar;
    const auto p = net.parameters();
    for (std::size_t q = 0; q < Network::parameter_count; ++q) {
        const T h = hessian_diagonal[q] > T(0) ? hessian_diagonal[q] : T(0);
        saliency[q] = pruning_mask<Network>::is_weight(q) ? h * p[q] * p[q] / T(2) : T(INFINITY);
    }
}

/// Prunes up to `count` more weights, those not yet pruned with the lowest `saliency`
/// (P values, from magnitude_saliency or obd_saliency), setting them to zero in `net`.
/// Returns how many it pruned (fewer when fewer weights are left). Cost: count * P
/// comparisons, no extra storage.
template <class Network>
std::size_t prune_lowest(Network& net, pruning_mask<Network>& mask, span<const typename Network::scalar> saliency,
                         std::size_t count)
{
    using T = typename Network::scalar;
    std::size_t done = 0;
    for (; done < count; ++done) {
        std::size_t best = Network::parameter_count;
        T lowest = T(0);
        for (std::size_t q = 0; q < Network::parameter_count; ++q) {
            if (!pruning_mask<Network>::is_weight(q) || mask.pruned(q)) continue;
            if (best == Network::parameter_count || saliency[q] < lowest) {
                best = q;
                lowest = saliency[q];
            }
        }
        if (best == Network::parameter_count) break;
        mask.prune(best);
        net.parameters()[best] = T(0);
    }
    return done;
}

/// Optimal Brain Surgeon: prunes `count` more weights one at a time, each time the unpruned
/// weight q with the lowest w_q^2 / (2 [H^-1]_qq), moving every parameter by
/// dw = -(w_q / [H^-1]_qq) H^-1 e_q (w_q lands on zero) and conditioning `h_inverse` on it.
/// `h_inverse` is the P x P inverse Hessian (row-major) of the loss over the data, e.g.
/// (alpha I + G)^-1, G the Gauss-Newton matrix, from sequential_inverse_hessian<Loss> (hessian.hpp); it is updated in
/// place (its rows and columns of pruned weights become zero). Returns
/// invalid_hyperparameter, changing nothing, when h_inverse has a non-positive or non-finite
/// diagonal entry for an unpruned weight (not an inverse Hessian);
/// non_finite_parameter when a correction would overflow (the removals before it stand;
/// that weight and everything after it are left as they were). Cost per weight: P^2 + 3 P.
template <class Network>
[[nodiscard]] status prune_optimal_brain_surgeon(Network& net, pruning_mask<Network>& mask,
                                                 span<typename Network::scalar> h_inverse, std::size_t count)
{
    static_assert(std::is_floating_point<typename Network::scalar>::value,
                  "Optimal Brain Surgeon needs a floating-point network and its inverse Hessian.");
    using T = typename Network::scalar;
    constexpr std::size_t p = Network::parameter_count;
    if (h_inverse.size() < p * p) return status::size_mismatch;
    for (std::size_t q = 0; q < p; ++q) {
        if (!pruning_mask<Network>::is_weight(q) || mask.pruned(q)) continue;
        const T h = h_inverse[q * p + q];
        if (!(h > T(0)) || !all_finite(&h, 1)) return status::invalid_hyperparameter;
    }
    T* theta = net.parameters().data();
    for (std::size_t removed = 0; removed < count; ++removed) {
        std::size_t best = p;
        T lowest = T(0);
        for (std::size_t q = 0; q < p; ++q) {
            if (!pruning_mask<Network>::is_weight(q) || mask.pruned(q)) continue;
            const T saliency = theta[q] * theta[q] / (T(2) * h_inverse[q * p + q]);
            if (best == p || saliency < lowest) {
                best = q;
                lowest = saliency;
            }
        }
        if (best == p) break;
        const T* column = h_inverse.data() + best * p;  // H^-1 is symmetric: row best == column best
        const T ratio = theta[best] / column[best];
        bool finite = true;
        for (std::size_t r = 0; r < p; ++r) {
            if (mask.pruned(r)) continue;
            const T moved = theta[r] - ratio * column[r];
            finite = finite && all_finite(&moved, 1);
        }
        if (!finite) return status::non_finite_parameter;
        for (std::size_t r = 0; r < p; ++r) {
            if (!mask.pruned(r)) theta[r] -= ratio * column[r];
        }
        theta[best] = T(0);
        mask.prune(best);
        detail::condition_inverse_on_zero(h_inverse.data(), p, best);
    }
    return status::ok;
}

/// How layerwise_obs::prune moves the rest of a row when it removes a weight.
enum class obs_conditioning {
    /// Each removal conditions the row's own copy of H^-1 on the removed weight
    /// (H^-1 <- H^-1 - H^-1 e_q e_q^T H^-1 / [H^-1]_qq), so later saliencies and corrections
    /// know the weights already gone: the row ends at the exact minimum of the layer-wise
    /// quadratic with those weights at zero. Costs a working copy of H^-1 and (in+1)^2
    /// multiply-adds per removal.
    conditioned,
    /// Every removal uses the layer's H^-1 as inverted (Dong, Chen & Pan 2017): cheaper,
    /// (in+1) multiply-adds per removal, but a later correction can undo part of an earlier one.
    unconditioned,
};

/// Layer-wise Optimal Brain Surgeon (Dong, Chen & Pan 2017, in its per-row form): for a dense
/// layer with inputs y, every output row i sees the Hessian of the layer's squared
/// reconstruction error (1/2N) sum_n (w_i . [y_n 1] - u_in)^2 with respect to its weights and
/// bias, H = (1/N) sum_n [y_n 1][y_n 1]^T: the same (in+1) x (in+1) matrix for all rows of the
/// layer. So OBS needs, per layer, one small inverse instead of the network's P x P one (digits
/// 64-32-10: 65^2 + 33^2 floats, 21 KB, instead of 2,410^2, 23 MB).
///
/// Use: reset(); accumulate(net, x) over the training inputs; invert(damping); then prune() or
/// prune_layer() (several calls may follow one invert()). Biases are never pruned, but each
/// correction moves the row's bias with its weights (the bias is the constant input 1).
/// Bytes: sizeof(layerwise_obs) = (hessian_count + working_count + max_width + 1) * sizeof(scalar)
/// + max_width + 1 + two words, all static (hessian_count = sum over layers of (inputs + 1)^2,
/// working_count = (widest input + 1)^2; digits 64-32-10 in float: about 38.5 KB).
/// Networks with tied layers are rejected at compile time.
template <class Network>
class layerwise_obs {
    static_assert(std::is_floating_point<typename Network::scalar>::value,
                  "Layer-wise Optimal Brain Surgeon needs a floating-point network.");
    static_assert(!Network::has_tied_layers,
                  "Layer-wise Optimal Brain Surgeon cannot prune a tied layer: its weights are shared by two layers.");

public:
    /// The network's scalar type.
    using scalar = typename Network::scalar;
    /// Side of layer l's matrix: its inputs plus the bias's constant 1.
    static constexpr std::size_t side(std::size_t l) { return Network::layers[l].inputs + 1; }
    /// Scalars of all layers' matrices: sum over layers of (inputs + 1)^2.
    static constexpr std::size_t hessian_count = [] {
        std::size_t n = 0;
        for (std::size_t l = 0; l < Network::layer_count; ++l) n += side(l) * side(l);
        return n;
    }();
    /// Scalars of the working matrix (Cholesky factor, then a row's conditioned H^-1).
    static constexpr std::size_t working_count = [] {
        std::size_t n = 0;
        for (std::size_t l = 0; l < Network::layer_count; ++l) n = side(l) > n ? side(l) : n;
        return n * n;
    }();

    /// Forgets every accumulated sample and any inverse: the object accumulates again.
    void reset()
    {
        for (auto& v : matrices_) v = scalar(0);
        samples_ = 0;
        inverted_ = false;
    }

    /// Runs `net` on x (input_size values) and adds [y 1][y 1]^T to each layer's matrix, y that
    /// layer's input. Returns size_mismatch (x.size() != input_size), non_finite_input (x holds
    /// NaN or infinity), non_finite_parameter (a layer's input came out non-finite) or
    /// invalid_hyperparameter (called after invert(): reset() first), adding nothing in each
    /// case. Writes the network's activations only. Cost: sum over layers of (in+1)(in+2)/2
    /// multiply-adds plus a forward pass.
    [[nodiscard]] status accumulate(Network& net, span<const scalar> x)
    {
        if (inverted_) return status::invalid_hyperparameter;
        if (x.size() != Network::input_size) return status::size_mismatch;
        if (!all_finite(x.data(), x.size())) return status::non_finite_input;
        net.forward_unchecked(x.data());
        for (std::size_t l = 1; l < Network::layer_count; ++l) {
            const auto y = net.layer_output(l - 1);
            if (!all_finite(y.data(), y.size())) return status::non_finite_parameter;
        }
        for (std::size_t l = 0; l < Network::layer_count; ++l) {
            const scalar* y = l == 0 ? x.data() : net.layer_output(l - 1).data();
            const std::size_t n = side(l);
            scalar* h = matrices_.data() + offset(l);
            // Lower triangle only; invert() reads nothing else.
            for (std::size_t r = 0; r < n; ++r) {
                const scalar yr = r + 1 < n ? y[r] : scalar(1);
                for (std::size_t c = 0; c <= r; ++c) h[r * n + c] += yr * (c + 1 < n ? y[c] : scalar(1));
            }
        }
        ++samples_;
        return status::ok;
    }

    /// Replaces each layer's sum by H^-1 = ((1/N) sum [y 1][y 1]^T + damping I)^-1 (N the
    /// samples accumulated), by Cholesky factorization. `damping` >= 0 keeps H invertible when
    /// inputs are collinear or never active (a dead ReLU unit gives a zero row).
    /// Returns invalid_hyperparameter (damping negative or non-finite, no sample accumulated,
    /// or already inverted) or singular_matrix (some layer's H has a non-positive pivot at
    /// this damping), changing nothing in either case: factorization is checked for every
    /// layer before any is overwritten. Cost: about 2/3 (in+1)^3 per layer, twice.
    [[nodiscard]] status invert(scalar damping)
    {
        if (!(damping >= scalar(0)) || !all_finite(&damping, 1) || samples_ == 0 || inverted_) {
            return status::invalid_hyperparameter;
        }
        for (std::size_t l = 0; l < Network::layer_count; ++l) {
            if (!factorize(l, damping)) return status::singular_matrix;
        }
        for (std::size_t l = 0; l < Network::layer_count; ++l) {
            (void)factorize(l, damping);
            invert_factor(l);
        }
        inverted_ = true;
        return status::ok;
    }

    /// Layer l's H^-1 after invert(): (inputs + 1)^2 values, row-major, the last row and
    /// column the bias's.
    span<const scalar> inverse(std::size_t l) const
    {
        return span<const scalar>(matrices_.data() + offset(l), side(l) * side(l));
    }

    /// Layer-wise OBS saliency w_q^2 / (2 [H^-1]_qq) of every parameter into `saliency`
    /// (P values; biases +infinity), from the layer's H^-1 as inverted (not conditioned on
    /// weights already pruned). Precondition: invert() returned ok; saliency.size() >= P.
    void saliency(const Network& net, span<scalar> saliency) const
    {
        for (std::size_t q = 0; q < Network::parameter_count; ++q) saliency[q] = scalar(INFINITY);
        for (std::size_t l = 0; l < Network::layer_count; ++l) {
            const auto& layer = Network::layers[l];
            for (std::size_t k = 0; k < layer.inputs * layer.outputs; ++k) {
                saliency[layer.weight_offset + k] = row_saliency(l, net.parameters()[layer.weight_offset + k], k % layer.inputs);
            }
        }
    }

    /// Prunes `count` more weights of the whole network. Which rows lose how many is chosen
    /// across all layers by the saliency w_q^2 / (2 [H^-1]_qq) at the current weights (the
    /// `count` lowest among weights not yet pruned, ties by index); then each row removes its
    /// share one weight at a time, the lowest saliency first, moving its other weights and
    /// bias by dw = -(w_q / [H^-1]_qq) H^-1 e_q (see obs_conditioning). Weights already pruned
    /// in `mask` stay at zero and, with conditioning, constrain the corrections. Prunes
    /// min(count, weights left). Returns invalid_hyperparameter (invert() not done) or
    /// non_finite_parameter (a parameter is non-finite, or a correction would overflow), and
    /// then nothing changed: every row is computed once to check it, and once more to write
    /// it. Cost: 32 (float) or 64 (double) passes over the weights to find the saliency
/// threshold, then, twice, (in+1)^2 per weight removed and per row touched with conditioning
/// (in+1 per weight removed without).
    [[nodiscard]] status prune(Network& net, pruning_mask<Network>& mask, std::size_t count,
                               obs_conditioning conditioning = obs_conditioning::conditioned)
    {
        return prune_layers(net, mask, count, 0, Network::layer_count, conditioning);
    }

    /// As prune(), but only among layer l's weights (the same fraction per layer: call it per
    /// layer with that layer's share). Returns invalid_hyperparameter also when l is past the
    /// last layer.
    [[nodiscard]] status prune_layer(Network& net, pruning_mask<Network>& mask, std::size_t l, std::size_t count,
                                     obs_conditioning conditioning = obs_conditioning::conditioned)
    {
        if (l >= Network::layer_count) return status::invalid_hyperparameter;
        return prune_layers(net, mask, count, l, l + 1, conditioning);
    }

private:
    using key_type = typename std::conditional<sizeof(scalar) == 8, std::uint64_t, std::uint32_t>::type;

    static constexpr std::size_t offset(std::size_t l)
    {
        std::size_t n = 0;
        for (std::size_t k = 0; k < l; ++k) n += side(k) * side(k);
        return n;
    }

    scalar row_saliency(std::size_t l, scalar w, std::size_t i) const
    {
        const std::size_t n = side(l);
        return w * w / (scalar(2) * matrices_[offset(l) + i * n + i]);
    }

    /// Orders non-negative saliencies as unsigned integers (IEEE bit patterns of non-negative
    /// values sort like the values, +infinity last), so the count-th lowest is found by
    /// bisection on the key without sorting or storing the P saliencies.
    static key_type key_of(scalar s)
    {
        key_type k;
        std::memcpy(&k, &s, sizeof k);
        return k;
    }

    /// Cholesky factor of layer l's (1/N) H + damping I into working_ (lower triangle).
    bool factorize(std::size_t l, scalar damping)
    {
        const std::size_t n = side(l);
        const scalar* h = matrices_.data() + offset(l);
        const scalar scale = scalar(1) / static_cast<scalar>(samples_);
        for (std::size_t r = 0; r < n; ++r) {
            for (std::size_t c = 0; c <= r; ++c) {
                scalar sum = h[r * n + c] * scale + (r == c ? damping : scalar(0));
                for (std::size_t j = 0; j < c; ++j) sum -= working_[r * n + j] * working_[c * n + j];
                if (c < r) {
                    working_[r * n + c] = sum / working_[c * n + c];
                } else {
                    if (!(sum > scalar(0)) || !all_finite(&sum, 1)) return false;
                    working_[r * n + r] = std::sqrt(sum);
                }
            }
        }
        return true;
    }

    /// Layer l's matrix <- (L L^T)^-1 from the factor L in working_: column j solves
    /// L z = e_j, then L^T x = z.
    void invert_factor(std::size_t l)
    {
        const std::size_t n = side(l);
        scalar* out = matrices_.data() + offset(l);
        for (std::size_t j = 0; j < n; ++j) {
            scalar* column = out + j * n;  // row j of the symmetric inverse == its column j
            for (std::size_t r = 0; r < n; ++r) {
                scalar sum = r == j ? scalar(1) : scalar(0);
                for (std::size_t k = j; k < r; ++k) sum -= working_[r * n + k] * column[k];
                column[r] = r < j ? scalar(0) : sum / working_[r * n + r];
            }
            for (std::size_t r = n; r-- > 0;) {
                scalar sum = column[r];
                for (std::size_t k = r + 1; k < n; ++k) sum -= working_[k * n + r] * column[k];
                column[r] = sum / working_[r * n + r];
            }
        }
    }

    /// working_ <- working_ conditioned on entry i being zero.
    void condition(std::size_t n, std::size_t i) { detail::condition_inverse_on_zero(working_.data(), n, i); }

    [[nodiscard]] status prune_layers(Network& net, pruning_mask<Network>& mask, std::size_t count, std::size_t first,
                                      std::size_t last, obs_conditioning conditioning)
    {
        if (!inverted_) return status::invalid_hyperparameter;
        if (!all_finite(net.parameters().data(), Network::parameter_count)) return status::non_finite_parameter;
        // Bisection for the smallest key K with at least `count` candidates at or below it;
        // candidates strictly below K are all taken, ties at K by index.
        std::size_t available = 0;
        key_type low = 0, high = 0;
        for_each_candidate(net, mask, first, last, [&](std::size_t, key_type key) {
            ++available;
            high = key > high ? key : high;
        });
        if (count > available) count = available;
        if (count == 0) return status::ok;
        while (low < high) {
            const key_type middle = low + (high - low) / 2;
            std::size_t at_or_below = 0;
            for_each_candidate(net, mask, first, last, [&](std::size_t, key_type key) { at_or_below += key <= middle; });
            if (at_or_below >= count) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        for (int pass = 0; pass < 2; ++pass) {
            const bool write = pass == 1;
            std::size_t below = 0;
            for_each_candidate(net, mask, first, last, [&](std::size_t, key_type key) { below += key < low; });
            std::size_t ties_left = count - below;
            for (std::size_t l = first; l < last; ++l) {
                const auto& layer = Network::layers[l];
                for (std::size_t row = 0; row < layer.outputs; ++row) {
                    std::size_t share = 0;
                    const scalar* w = net.parameters().data() + layer.weight_offset + row * layer.inputs;
                    for (std::size_t i = 0; i < layer.inputs; ++i) {
                        if (mask.pruned(layer.weight_offset + row * layer.inputs + i)) continue;
                        const key_type key = key_of(row_saliency(l, w[i], i));
                        if (key < low || (key == low && ties_left > 0)) {
                            ties_left -= key == low ? 1 : 0;
                            ++share;
                        }
                    }
                    if (share == 0) continue;
                    const status s = prune_row(net, mask, l, row, share, conditioning, write);
                    if (s != status::ok) return s;
                }
            }
        }
        return status::ok;
    }

    /// Calls visit(q, key) for every unpruned weight q of layers [first, last).
    template <class Visit>
    void for_each_candidate(const Network& net, const pruning_mask<Network>& mask, std::size_t first, std::size_t last,
                            Visit visit) const
    {
        for (std::size_t l = first; l < last; ++l) {
            const auto& layer = Network::layers[l];
            for (std::size_t k = 0; k < layer.inputs * layer.outputs; ++k) {
                const std::size_t q = layer.weight_offset + k;
                if (!mask.pruned(q)) visit(q, key_of(row_saliency(l, net.parameters()[q], k % layer.inputs)));
            }
        }
    }

    /// Removes `share` weights of one row by OBS into row_ (its weights, then its bias); when
    /// `write`, stores row_ into the network and marks the mask. non_finite_parameter, writing
    /// nothing, when the row comes out non-finite.
    status prune_row(Network& net, pruning_mask<Network>& mask, std::size_t l, std::size_t row, std::size_t share,
                     obs_conditioning conditioning, bool write)
    {
        const auto& layer = Network::layers[l];
        const std::size_t n = side(l);
        const std::size_t first_weight = layer.weight_offset + row * layer.inputs;
        scalar* theta = net.parameters().data();
        for (std::size_t i = 0; i < layer.inputs; ++i) {
            row_[i] = theta[first_weight + i];
            removed_[i] = mask.pruned(first_weight + i);
        }
        row_[layer.inputs] = theta[layer.bias_offset + row];
        removed_[layer.inputs] = false;
        const bool conditioned = conditioning == obs_conditioning::conditioned;
        const scalar* h = matrices_.data() + offset(l);
        if (conditioned) {
            for (std::size_t k = 0; k < n * n; ++k) working_[k] = h[k];
            for (std::size_t i = 0; i < layer.inputs; ++i) {
                if (removed_[i]) condition(n, i);
            }
            h = working_.data();
        }
        for (std::size_t removal = 0; removal < share; ++removal) {
            std::size_t best = n;
            scalar lowest = scalar(0);
            for (std::size_t i = 0; i < layer.inputs; ++i) {
                if (removed_[i]) continue;
                const scalar s = row_[i] * row_[i] / (scalar(2) * h[i * n + i]);
                if (best == n || s < lowest) {
                    best = i;
                    lowest = s;
                }
            }
            if (best == n) break;
            const scalar* column = h + best * n;  // symmetric: row best == column best
            if (!(column[best] > scalar(0))) return status::non_finite_parameter;
            const scalar ratio = row_[best] / column[best];
            for (std::size_t r = 0; r < n; ++r) {
                if (!removed_[r]) row_[r] -= ratio * column[r];
            }
            row_[best] = scalar(0);
            removed_[best] = true;
            if (conditioned) condition(n, best);
        }
        if (!all_finite(row_.data(), n)) return status::non_finite_parameter;
        if (write) {
            for (std::size_t i = 0; i < layer.inputs; ++i) {
                theta[first_weight + i] = row_[i];
                if (removed_[i]) mask.prune(first_weight + i);
            }
            theta[layer.bias_offset + row] = row_[layer.inputs];
        }
        return status::ok;
    }

    std::array<scalar, hessian_count> matrices_{};
    std::array<scalar, working_count> working_{};
    std::array<scalar, Network::max_width + 1> row_{};
    std::array<bool, Network::max_width + 1> removed_{};
    std::size_t samples_ = 0;
    bool inverted_ = false;
};

}  // namespace microprop

#endif
