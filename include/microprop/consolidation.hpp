// Learning without forgetting: elastic weight consolidation (Kirkpatrick et al. 2017,
// include/microprop/theory.md section 5). After task A, consolidate() stores each
// parameter's importance F_i (the diagonal of the Gauss-Newton matrix of task A's data,
// which for the matched output/loss pairs is the diagonal Fisher information) and the
// parameters theta*_A themselves; training task B then follows the gradient of
// E_B(theta) + (lambda / 2) sum_i F_i (theta_i - theta*_A,i)^2, so weights task A relies on
// stay near their values and the others are free to move.
//
// It is an option of the trainer through its optimizer: trainer<Network, Loss,
// consolidated<adam>> keeps F and theta* (2 P values) after the inner optimizer's state,
// and every buffered step adds lambda F_i (theta_i - theta*_i) to the gradient.
// save_training_state / load_training_state (serialize.hpp) keep all of it: the inner
// optimizer's state, F and theta* as the blob's state section, the inner record plus lambda
// as its record (optimizer kinds 4-6), so training resumes bit for bit, consolidation included.
#ifndef MICROPROP_CONSOLIDATION_HPP
#define MICROPROP_CONSOLIDATION_HPP

#include <cstddef>
#include <type_traits>

#include "hessian.hpp"
#include "optimizers.hpp"
#include "scalar.hpp"
#include "serialize.hpp"
#include "span.hpp"
#include "status.hpp"
#include "trainer.hpp"

namespace microprop {

/// Largest consolidation strength lambda that consolidated::valid() accepts.
inline constexpr float max_consolidation_strength = 1e6f;

/// An optimizer (sgd, momentum, adam) with elastic weight consolidation: its step sees the
/// gradient plus strength * F_i (theta_i - theta*_i). The inner optimizer's settings are
/// this struct's own (`consolidated<adam> o; o.learning_rate = 0.01f;`). Until
/// consolidate() has run, F is zero and the optimizer behaves exactly like the inner one
/// (the trainer then also pays one pass over P values per step for the penalty).
template <class Inner>
struct consolidated : Inner {
    /// lambda: how strongly the consolidated parameters are held (0: not at all).
    float strength = 1.0f;
    /// The inner optimizer's state, then F, then theta*.
    static constexpr std::size_t state_per_parameter = Inner::state_per_parameter + 2;
    /// Values per parameter that consolidation adds to the trainer: F and theta*.
    static constexpr std::size_t consolidation_per_parameter = 2;
    /// Tells the trainer to call add_gradient_penalty before each buffered step.
    static constexpr bool adds_gradient_penalty = true;

    /// The inner optimizer's valid(), and strength in [0, max_consolidation_strength].
    bool valid() const
    {
        return Inner::valid() && detail::setting_in(strength, 0.0f, max_consolidation_strength);
    }

    /// F (n values) inside the state the trainer keeps (n parameters).
    template <class T>
    static T* importance(T* state, std::size_t n)
    {
        return state + Inner::state_per_parameter * n;
    }
    /// theta* (n values) inside the state.
    template <class T>
    static T* anchor(T* state, std::size_t n)
    {
        return state + (Inner::state_per_parameter + 1) * n;
    }

    /// g_i += strength * F_i (w_i - theta*_i) for the n parameters w (one pass, no memory).
    template <class T>
    void add_gradient_penalty(const T* w, T* g, const T* state, std::size_t n) const
    {
        const T lambda = static_cast<T>(strength);
        const T* f = importance(state, n);
        const T* theta_star = anchor(state, n);
        for (std::size_t k = 0; k < n; ++k) g[k] += lambda * f[k] * (w[k] - theta_star[k]);
    }
};

/// A consolidated<Inner> optimizer's blob record: the inner optimizer's record, then f32
/// strength. Its kind is the inner kind + 3 (4 sgd, 5 momentum, 6 adam); F and theta* travel
/// in the blob's state section after the inner optimizer's state (trainer::optimizer_state()).
template <class Inner>
struct blob_optimizer_record<consolidated<Inner>> {
    /// The inner optimizer's record, written first.
    using inner_record = blob_optimizer_record<Inner>;
    /// The blob's optimizer kind.
    static constexpr std::uint8_t kind = static_cast<std::uint8_t>(inner_record::kind + detail::blob_consolidated_kind_offset);
    /// R in the layout: the inner record and 4 bytes of strength.
    static constexpr std::size_t bytes = inner_record::bytes + 4;
    /// Writes the record (bytes bytes) at p.
    static void write(const consolidated<Inner>& o, std::uint8_t* p)
    {
        inner_record::write(o, p);
        detail::put_f32(p + inner_record::bytes, o.strength);
    }
    /// The inner record's check, then blob_non_finite (a NaN or infinite strength) or
    /// blob_corrupt (a strength outside [0, max_consolidation_strength], which no valid
    /// optimizer holds) for the record at p.
    static status check(const std::uint8_t* p)
    {
        const status s = inner_record::check(p);
        if (s != status::ok) return s;
        if (!detail::stored_values_finite<float>(p + inner_record::bytes, 1)) return status::blob_non_finite;
        const float strength = detail::get_f32(p + inner_record::bytes);
        return strength >= 0.0f && strength <= max_consolidation_strength ? status::ok : status::blob_corrupt;
    }
    /// Sets the optimizer from a record that passed check().
    static void read(consolidated<Inner>& o, const std::uint8_t* p)
    {
        inner_record::read(o, p);
        o.strength = detail::get_f32(p + inner_record::bytes);
    }
    static_assert(bytes == detail::blob_record_bytes[kind] &&
                      consolidated<Inner>::state_per_parameter == detail::blob_state_per_parameter[kind],
                  "The consolidated record must match the optimizer-kind table.");
};

/// Scratch values consolidate() needs for `Network`: an accumulator of P values and
/// gauss_newton_scratch_size.
template <class Network>
constexpr std::size_t consolidation_scratch_size = Network::parameter_count + gauss_newton_scratch_size<Network>;

/// Bytes elastic weight consolidation adds to a trainer of `Network`: F and theta*,
/// 2 * parameter_count * sizeof(scalar) (part of the trainer's optimizer_state_bytes).
template <class Network>
constexpr std::size_t consolidation_bytes = 2 * Network::parameter_count * sizeof(typename Network::scalar);

/// F, the importance of each parameter, in trainer `tr`'s state (P values).
template <class Network, class Loss, class Inner, std::size_t BatchSize>
span<typename Network::scalar> consolidation_importance(trainer<Network, Loss, consolidated<Inner>, BatchSize>& tr)
{
    return span<typename Network::scalar>(
        consolidated<Inner>::importance(tr.optimizer_state().data(), Network::parameter_count),
        Network::parameter_count);
}

/// theta*, the consolidated parameters, in trainer `tr`'s state (P values).
template <class Network, class Loss, class Inner, std::size_t BatchSize>
span<typename Network::scalar> consolidation_anchor(trainer<Network, Loss, consolidated<Inner>, BatchSize>& tr)
{
    return span<typename Network::scalar>(
        consolidated<Inner>::anchor(tr.optimizer_state().data(), Network::parameter_count), Network::parameter_count);
}

/// Ends a task: sets F to (1 / count) sum_n diag(G_n), the mean diagonal Gauss-Newton matrix
/// (gauss_newton_diagonal, with the loss's own curvature) over the `count` samples xs
/// (`[count][input_size]`) and ds (`[count][output_size]`) at the network's current
/// parameters, plus `previous_weight` times the old F (0: forget earlier tasks; 1: online
/// EWC, which keeps all of them, Schwarz et al. 2018), and theta* to the current parameters.
/// Runs 1 forward and output_size backward passes per sample; writes nothing until every
/// sample has been read. `scratch`: consolidation_scratch_size values.
/// Statuses (F and theta* unchanged on any but ok): invalid_hyperparameter (count == 0, or
/// previous_weight outside [0, 1]); non_finite_parameter (a weight); non_finite_input,
/// non_finite_target, target_out_of_range (a softmax target with a negative sum); and
/// non_finite_gradient when F would overflow.
template <class Network, class Loss, class Inner, std::size_t BatchSize>
[[nodiscard]] status consolidate(trainer<Network, Loss, consolidated<Inner>, BatchSize>& tr,
                                 const typename Network::scalar* xs, const typename Network::scalar* ds,
                                 std::size_t count, span<typename Network::scalar> scratch,
                                 typename Network::scalar previous_weight = typename Network::scalar(0))
{
    using T = typename Network::scalar;
    constexpr std::size_t p = Network::parameter_count;
    MICROPROP_CHECK(scratch.size() >= consolidation_scratch_size<Network>, "consolidation scratch too small");
    if (count == 0 || !detail::in_closed_range(previous_weight, T(0), T(1))) return status::invalid_hyperparameter;
    Network& net = tr.network();
    if (!all_finite(net.parameters().data(), p)) return status::non_finite_parameter;
    T* sum = scratch.data();
    for (std::size_t q = 0; q < p; ++q) sum[q] = T(0);
    const span<T> gauss_newton_scratch = scratch.subspan(p, gauss_newton_scratch_size<Network>);
    for (std::size_t n = 0; n < count; ++n) {
        const status s = gauss_newton_diagonal_unchecked<Loss>(net, xs + n * Network::input_size, ds + n * Network::output_size,
                                                     span<T>(sum, p), gauss_newton_scratch);
        if (s != status::ok) return s;
    }
    const T mean = T(1) / static_cast<T>(count);
    const span<T> f = consolidation_importance(tr);
    for (std::size_t q = 0; q < p; ++q) sum[q] = previous_weight * f[q] + mean * sum[q];
    if (!all_finite(sum, p)) return status::non_finite_gradient;
    const span<T> theta_star = consolidation_anchor(tr);
    for (std::size_t q = 0; q < p; ++q) {
        f[q] = sum[q];
        theta_star[q] = net.parameters()[q];
    }
    return status::ok;
}

}  // namespace microprop

#endif
