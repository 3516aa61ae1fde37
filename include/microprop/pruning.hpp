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
// The kernels do not yet skip pruned weights: pruning here buys accuracy per weight (and a
// model that compresses), not time per step.
#ifndef MICROPROP_PRUNING_HPP
#define MICROPROP_PRUNING_HPP

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "scalar.hpp"
#include "span.hpp"
#include "status.hpp"

namespace microprop {

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
        // H^-1 <- H^-1 - H^-1 e_q e_q^T H^-1 / [H^-1]_qq, row and column q then zero.
        const T pivot = column[best];
        for (std::size_t r = 0; r < p; ++r) {
            if (r == best) continue;
            const T factor = h_inverse[r * p + best] / pivot;
            if (factor == T(0)) continue;
            for (std::size_t c = 0; c < p; ++c) {
                if (c != best) h_inverse[r * p + c] -= factor * h_inverse[best * p + c];
            }
        }
        for (std::size_t r = 0; r < p; ++r) {
            h_inverse[r * p + best] = T(0);
            h_inverse[best * p + r] = T(0);
        }
    }
    return status::ok;
}

}  // namespace microprop

#endif
