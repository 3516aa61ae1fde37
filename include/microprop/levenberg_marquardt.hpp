// Levenberg-Marquardt training for small regression networks.
//
//     #include <microprop/levenberg_marquardt.hpp>
//     using net_t = mp::network<float, mp::dense<1, 10>, mp::tanh, mp::dense<10, 1>>;   // P = 31
//     static net_t net(seed);
//     static mp::levenberg_marquardt<net_t> lm(net);   // 2 P(P+1)/2 + 3 P + 2 max_width floats
//     status s = lm.train_epoch(inputs, targets);      // one damped Gauss-Newton step over the set
//
// Each epoch is one step of damped Gauss-Newton on the sum-of-squares error
// E = 1/2 sum_n |y(x_n) - d_n|^2 (PRML 5.4.2, Bishop 1995 sec. 7.11):
//     (A + lambda I) delta = -g,   A = sum_n J_n^T J_n,   g = sum_n J_n^T (y_n - d_n),
// with J_n = dy/dtheta from backprop (one backward pass per output), solved by a
// Cholesky factorisation in place. A step that lowers E is kept and lambda shrinks by
// up to 3x, by how well the quadratic model predicted the drop (Nielsen's rule, Madsen,
// Nielsen & Tingleff 2004, sec. 3.2); one that does not is undone and retried with
// 2, 4, 8... times the damping. So the method moves between Gauss-Newton (small lambda,
// fast near a minimum) and short gradient-descent steps (large lambda, safe far from
// one). Levenberg's lambda I, not Marquardt's lambda diag(A): on the sine fit of
// examples/levenberg_marquardt the diagonal scaling needed 29 to over 200 epochs over
// five seeds, the identity 6 to 8 (with the tenfold up/down rule, 45 epochs). Squared error only: for
// it J^T J is the Gauss-Newton matrix; other losses weight J by their own output
// curvature (hessian.hpp) and are not least-squares problems.
//
// Storage is static and sized at compile time: A and its factor as packed lower
// triangles (P (P + 1) / 2 values each), g, the step and the saved parameters (P each),
// plus backprop scratch. The P^2 growth is why it is for small networks: P = 31 needs
// 4.4 KB in float, P = 256 needs 260 KB; a network above MaxParameters does not compile.
#ifndef MICROPROP_LEVENBERG_MARQUARDT_HPP
#define MICROPROP_LEVENBERG_MARQUARDT_HPP

#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>

#include "hessian.hpp"
#include "losses.hpp"
#include "network.hpp"
#include "scalar.hpp"
#include "span.hpp"
#include "status.hpp"

namespace microprop {

/// Default cap on the parameters levenberg_marquardt accepts (256: 260 KB of float storage).
constexpr std::size_t levenberg_marquardt_default_max_parameters = 256;

/// Fails to compile, naming both numbers, when a network is too large for levenberg_marquardt.
template <std::size_t network_parameters, std::size_t max_parameters>
struct levenberg_marquardt_size_check {
    static_assert(network_parameters <= max_parameters,
                  "levenberg_marquardt: the network has more parameters than MaxParameters allows (the two "
                  "numbers are the template arguments of microprop::levenberg_marquardt_size_check<"
                  "network_parameters, max_parameters> in the note above); its matrices grow as P squared, so "
                  "raise MaxParameters only if the RAM is there.");
    /// True; the check is the static_assert above.
    static constexpr bool value = true;
};

/// Damped Gauss-Newton (Levenberg-Marquardt) trainer for `Network` under the squared
/// error, one full-batch step per train_epoch(). Holds a pointer to the network and all
/// of its working storage (sizeof(levenberg_marquardt) == about `storage_bytes`).
template <class Network, std::size_t MaxParameters = levenberg_marquardt_default_max_parameters>
class levenberg_marquardt {
public:
    /// The network's scalar (float or double).
    using scalar = typename Network::scalar;
    /// Parameters of the network: the unknowns of each step.
    static constexpr std::size_t parameter_count = Network::parameter_count;
    /// Values in one packed lower triangle of a P x P symmetric matrix.
    static constexpr std::size_t packed_count = parameter_count * (parameter_count + 1) / 2;
    /// Backprop scratch for one row of dy/dtheta (hessian.hpp's for_each_output_gradient_unchecked).
    static constexpr std::size_t scratch_count = parameter_count + 2 * Network::max_width;
    /// Bytes of working storage: A and its Cholesky factor, g, the step, the saved
    /// parameters and the backprop scratch.
    static constexpr std::size_t storage_bytes = (2 * packed_count + 3 * parameter_count + scratch_count) * sizeof(scalar);

private:
    using T = scalar;
    static_assert(std::is_floating_point<T>::value,
                  "Levenberg-Marquardt needs a floating-point network: train a fixed-point one with SGD, or "
                  "dequantize() it into a float network first.");
    static_assert(levenberg_marquardt_size_check<parameter_count, MaxParameters>::value, "");

public:
    /// Trains `net` in place. `initial_damping` is lambda before the first step (> 0).
    explicit levenberg_marquardt(Network& net, T initial_damping = T(1e-3))
        : net_(&net), damping_(initial_damping > T(0) ? initial_damping : T(1e-3))
    {
    }

    /// lambda for the next step: it shrinks by up to 3x after an accepted step and grows
    /// 2x, 4x, 8x... after each rejected one, within [minimum_damping, maximum_damping].
    T damping() const { return damping_; }
    /// Sets lambda; values outside [minimum_damping, maximum_damping] or non-finite are clamped.
    void set_damping(T lambda) { damping_ = clamp_damping(lambda); }

    /// Mean over the samples of 1/2 |y - d|^2 at the parameters after the last epoch.
    T last_loss() const { return last_loss_; }
    /// True when the last epoch found a step that lowered the error; false when every
    /// attempt up to maximum_attempts failed (the parameters are then unchanged: a
    /// minimum, or a step the damping cannot rescue).
    bool last_step_accepted() const { return accepted_; }
    /// Damped systems solved in the last epoch (1 when the first step was accepted).
    std::size_t last_attempts() const { return attempts_; }

    /// Largest lambda the adaptation uses.
    static constexpr T maximum_damping = T(1e10);
    /// Smallest lambda (below it the step is plain Gauss-Newton to rounding).
    static constexpr T minimum_damping = T(1e-12);
    /// Damped systems an epoch tries before it gives up and keeps the parameters.
    static constexpr std::size_t maximum_attempts = 12;

    /// One Levenberg-Marquardt step over the whole set: `inputs` holds count samples of
    /// Network::input_size values, `targets` count rows of Network::output_size.
    /// Returns size_mismatch when the two spans do not describe the same whole number
    /// of samples, non_finite_input / non_finite_target for a NaN or infinite value,
    /// non_finite_loss / non_finite_gradient when the error or its Jacobian overflow at
    /// the current parameters; in each of these cases nothing changed. Otherwise ok: the
    /// parameters moved to a point of lower error, or, when no damping up to
    /// maximum_damping found one (last_step_accepted() false), stayed exactly as they were.
    /// Cost per epoch: count * K backward passes plus count * K * P(P+1)/2 multiply-adds
    /// for A, then per attempt P^3/6 for the factorisation and one forward pass per sample.
    [[nodiscard]] status train_epoch(span<const T> inputs, span<const T> targets)
    {
        constexpr std::size_t in_size = Network::input_size;
        constexpr std::size_t out_size = Network::output_size;
        if (inputs.size() == 0 || inputs.size() % in_size != 0) return status::size_mismatch;
        const std::size_t count = inputs.size() / in_size;
        if (targets.size() != count * out_size) return status::size_mismatch;
        if (!all_finite(inputs.data(), inputs.size())) return status::non_finite_input;
        if (!all_finite(targets.data(), targets.size())) return status::non_finite_target;

        T* const theta = net_->parameters().data();
        for (std::size_t q = 0; q < parameter_count; ++q) saved_[q] = theta[q];
        for (T& a : normal_matrix_) a = T(0);
        for (T& g : gradient_) g = T(0);

        // A and g from one backward pass per output and sample: A += b b^T, g += r_k b.
        T error = T(0);
        for (std::size_t n = 0; n < count; ++n) {
            const T* x = inputs.data() + n * in_size;
            const T* d = targets.data() + n * out_size;
            std::size_t k = 0;
            const status s = for_each_output_gradient_unchecked(*net_, x, span<T>(scratch_.data(), scratch_count),
                                                      [&](const T* b) {
                                                          const T r = net_->output()[k] - d[k];
                                                          if (k == 0) error += half_squared_residual(d);
                                                          accumulate(b, r);
                                                          ++k;
                                                      });
            if (s != status::ok) return s;
        }
        if (!is_finite(error)) return status::non_finite_loss;
        if (!all_finite(normal_matrix_.data(), packed_count) || !all_finite(gradient_.data(), parameter_count)) {
            return status::non_finite_gradient;
        }

        accepted_ = false;
        attempts_ = 0;
        T trial_error = error;
        T growth = T(2);
        while (attempts_ < maximum_attempts) {
            ++attempts_;
            T predicted = T(0);
            if (solve_damped(damping_, predicted)) {
                for (std::size_t q = 0; q < parameter_count; ++q) theta[q] = saved_[q] + step_[q];
                trial_error = sum_of_squares(inputs.data(), targets.data(), count);
                if (is_finite(trial_error) && trial_error < error && predicted > T(0)) {
                    // Nielsen's rule: shrink lambda by up to 3x when the quadratic model
                    // predicted the drop well (gain ratio near 1), barely when it did not.
                    const T gain = (error - trial_error) / predicted;
                    const T t = T(2) * gain - T(1);
                    const T factor = T(1) - t * t * t;
                    damping_ = clamp_damping(damping_ * (factor > T(1) / T(3) ? factor : T(1) / T(3)));
                    accepted_ = true;
                    break;
                }
            }
            damping_ = clamp_damping(damping_ * growth);
            growth *= T(2);
            if (damping_ >= maximum_damping && attempts_ > 1) break;
        }
        if (!accepted_) {
            for (std::size_t q = 0; q < parameter_count; ++q) theta[q] = saved_[q];
            trial_error = error;
        }
        last_loss_ = trial_error / static_cast<T>(count);
        return status::ok;
    }

private:
    static T clamp_damping(T lambda)
    {
        if (!(lambda >= minimum_damping)) return minimum_damping;  // also NaN
        return lambda > maximum_damping ? maximum_damping : lambda;
    }

    static bool is_finite(T v) { return all_finite(&v, 1); }

    /// Row r of the packed lower triangle starts at r (r + 1) / 2.
    static constexpr std::size_t row_start(std::size_t r) { return r * (r + 1) / 2; }

    /// 1/2 |y - d|^2 of the network's current output.
    T half_squared_residual(const T* d) const
    {
        return squared_error::value(net_->output().data(), d, Network::output_size);
    }

    void accumulate(const T* b, T residual)
    {
        for (std::size_t r = 0; r < parameter_count; ++r) {
            const T br = b[r];
            gradient_[r] += residual * br;
            if (br == T(0)) continue;  // dead ReLU units and unused inputs give zero rows
            T* row = normal_matrix_.data() + row_start(r);
            for (std::size_t c = 0; c <= r; ++c) row[c] += br * b[c];
        }
    }

    T sum_of_squares(const T* xs, const T* ds, std::size_t count)
    {
        T error = T(0);
        for (std::size_t n = 0; n < count; ++n) {
            net_->forward_unchecked(xs + n * Network::input_size);
            error += half_squared_residual(ds + n * Network::output_size);
        }
        return error;
    }

    /// Factorises A + lambda I into L L^T in factor_ and solves for
    /// step_ = -(A + lambda I)^-1 g; `predicted_drop` is the quadratic model's drop of E
    /// for that step. False when a pivot is not positive (not positive definite at this
    /// damping: the caller damps more) or the step is not finite.
    bool solve_damped(T lambda, T& predicted_drop)
    {
        for (std::size_t i = 0; i < packed_count; ++i) factor_[i] = normal_matrix_[i];
        for (std::size_t r = 0; r < parameter_count; ++r) factor_[row_start(r) + r] += lambda;
        // Cholesky, row by row (Golub & Van Loan alg. 4.2.1 in packed lower storage).
        for (std::size_t r = 0; r < parameter_count; ++r) {
            T* row_r = factor_.data() + row_start(r);
            for (std::size_t c = 0; c <= r; ++c) {
                const T* row_c = factor_.data() + row_start(c);
                T sum = row_r[c];
                for (std::size_t j = 0; j < c; ++j) sum -= row_r[j] * row_c[j];
                if (c < r) {
                    row_r[c] = sum / row_c[c];
                } else {
                    if (!(sum > T(0))) return false;
                    row_r[r] = std::sqrt(sum);
                }
            }
        }
        // L z = -g, then L^T step = z.
        for (std::size_t r = 0; r < parameter_count; ++r) {
            const T* row = factor_.data() + row_start(r);
            T sum = -gradient_[r];
            for (std::size_t j = 0; j < r; ++j) sum -= row[j] * step_[j];
            step_[r] = sum / row[r];
        }
        for (std::size_t r = parameter_count; r-- > 0;) {
            T sum = step_[r];
            for (std::size_t j = r + 1; j < parameter_count; ++j) sum -= factor_[row_start(j) + r] * step_[j];
            step_[r] = sum / factor_[row_start(r) + r];
        }
        if (!all_finite(step_.data(), parameter_count)) return false;
        // The quadratic model's drop -g.step - step.A.step / 2 = (lambda step.step - g.step) / 2,
        // since (A + lambda I) step = -g.
        predicted_drop = T(0);
        for (std::size_t r = 0; r < parameter_count; ++r) predicted_drop += step_[r] * (lambda * step_[r] - gradient_[r]);
        predicted_drop /= T(2);
        return true;
    }

    Network* net_;
    T damping_;
    T last_loss_ = T(0);
    bool accepted_ = false;
    std::size_t attempts_ = 0;
    std::array<T, packed_count> normal_matrix_{};
    std::array<T, packed_count> factor_{};
    std::array<T, parameter_count> gradient_{};
    std::array<T, parameter_count> step_{};
    std::array<T, parameter_count> saved_{};
    std::array<T, scratch_count> scratch_{};
};

}  // namespace microprop

#endif
