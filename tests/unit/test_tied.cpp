// Tied (shared, transposed) weights, include/microprop/theory.md section 4: a tied layer computes what an untied layer
// holding the transposed matrix computes, and the shared matrix's gradient is the sum of
// both uses. Checked against an untied twin network (same numbers, weights copied), against
// central differences of the loss, and through every consumer of the parameter vector:
// trainers (fused SGD, gradient buffer, minibatch), the input Jacobian, the exact Hessian
// and serialisation.
#include <microprop/microprop.hpp>

#include <cmath>
#include <cstdint>

#include "numeric_support.hpp"

namespace {

namespace mp = microprop;

// A 3-2-3 tied autoencoder and its untied twin (W2 = W1^T copied in).
using tied_ae = mp::network<double, mp::dense<3, 2>, mp::tanh, mp::tied<0>, mp::sigmoid>;
using untied_ae = mp::network<double, mp::dense<3, 2>, mp::tanh, mp::dense<2, 3>, mp::sigmoid>;
// A tie past the first layer (layer 2 reuses layer 1 transposed), with a plain layer on top.
using deep_tied = mp::network<double, mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>, mp::sigmoid, mp::tied<1>, mp::tanh,
                              mp::dense<4, 2>>;
using deep_untied = mp::network<double, mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>, mp::sigmoid, mp::dense<2, 4>,
                                mp::tanh, mp::dense<4, 2>>;

static_assert(tied_ae::parameter_count == 3 * 2 + 2 + 3, "a tied layer adds only its biases");
static_assert(tied_ae::layers[1].transposed && tied_ae::layers[1].weight_source == 0, "");
static_assert(tied_ae::layers[1].inputs == 2 && tied_ae::layers[1].outputs == 3, "widths swapped");
static_assert(tied_ae::layers[1].weight_offset == 0 && tied_ae::layers[1].bias_offset == 8, "");
static_assert(!tied_ae::ties_past_first_layer && deep_tied::ties_past_first_layer, "");
static_assert(mp::trainer<tied_ae, mp::squared_error>::fused_sgd, "tie to layer 0: fused SGD is exact");
static_assert(!mp::trainer<deep_tied, mp::squared_error>::fused_sgd, "tie past layer 0: gradient buffer");

// Two P x P matrices shared by the Hessian tests (static: the 8 KB port's stack is small).
double matrix_a[tied_ae::parameter_count * tied_ae::parameter_count];
double matrix_b[tied_ae::parameter_count * tied_ae::parameter_count];

/// Copies a tied network's parameters into its untied twin: every tied layer's matrix is
/// its source's, transposed.
template <class Tied, class Untied>
void untie(const Tied& tied, Untied& untied)
{
    static_assert(Tied::layer_count == Untied::layer_count, "twins have the same layers");
    for (std::size_t l = 0; l < Tied::layer_count; ++l) {
        const mp::layer_info& t = Tied::layers[l];
        const mp::layer_info& u = Untied::layers[l];
        for (std::size_t j = 0; j < u.outputs; ++j) {
            for (std::size_t i = 0; i < u.inputs; ++i) {
                untied.parameters()[u.weight_offset + j * u.inputs + i] =
                    tied.parameters()[t.transposed ? t.weight_offset + i * t.outputs + j : t.weight_offset + j * t.inputs + i];
            }
            untied.parameters()[u.bias_offset + j] = tied.parameters()[t.bias_offset + j];
        }
    }
}

/// The untied twin's gradient folded onto the tied parameters: a tied layer's weight
/// gradient is added, transposed, to its source's (theory notes section 4: both paths summed).
template <class Tied, class Untied>
void fold(const double* untied_gradient, double* tied_gradient)
{
    for (std::size_t k = 0; k < Tied::parameter_count; ++k) tied_gradient[k] = 0.0;
    for (std::size_t l = 0; l < Tied::layer_count; ++l) {
        const mp::layer_info& t = Tied::layers[l];
        const mp::layer_info& u = Untied::layers[l];
        for (std::size_t j = 0; j < u.outputs; ++j) {
            for (std::size_t i = 0; i < u.inputs; ++i) {
                tied_gradient[t.transposed ? t.weight_offset + i * t.outputs + j : t.weight_offset + j * t.inputs + i] +=
                    untied_gradient[u.weight_offset + j * u.inputs + i];
            }
            tied_gradient[t.bias_offset + j] += untied_gradient[u.bias_offset + j];
        }
    }
}

template <class Net>
void fill_input(double* x, std::size_t n, std::uint32_t seed)
{
    numtest::lcg rng(seed);
    for (std::size_t i = 0; i < n; ++i) x[i] = rng.symmetric();
}

template <class Tied, class Untied, class Loss>
void check_against_untied_twin(std::uint32_t seed)
{
    Tied tied;
    numtest::fill_parameters(tied, seed);
    Untied untied;
    untie(tied, untied);
    double x[Tied::input_size], d[Tied::output_size];
    fill_input<Tied>(x, Tied::input_size, seed + 1);
    for (std::size_t k = 0; k < Tied::output_size; ++k) d[k] = 0.25 + 0.5 * static_cast<double>(k % 2);

    // Forward: the same outputs to the last bit is not promised (different summation order).
    const mp::span<const double> y_tied = tied.forward(x);
    const mp::span<const double> y_untied = untied.forward(x);
    for (std::size_t k = 0; k < Tied::output_size; ++k) {
        EXPECT_TRUE(numtest::close(y_tied[k], y_untied[k], 1e-15, 1e-13, "output", k, __FILE__, __LINE__));
    }

    // Gradient: the untied twin's, folded.
    double g_tied[Tied::parameter_count], g_untied[Untied::parameter_count], g_folded[Tied::parameter_count];
    mp::trainer<Tied, Loss> tied_backprop(tied);
    mp::trainer<Untied, Loss> untied_backprop(untied);
    ASSERT_TRUE(tied_backprop.compute_gradient(x, d, g_tied) == mp::status::ok);
    ASSERT_TRUE(untied_backprop.compute_gradient(x, d, g_untied) == mp::status::ok);
    fold<Tied, Untied>(g_untied, g_folded);
    for (std::size_t k = 0; k < Tied::parameter_count; ++k) {
        EXPECT_TRUE(numtest::close(g_tied[k], g_folded[k], 1e-15, 1e-12, "gradient", k, __FILE__, __LINE__));
    }

    // And against central differences of the loss (independent of backprop): in double the
    // check's step cbrt(eps) leaves errors near 1e-9 relative; a missing path is O(1).
    double scratch[Tied::parameter_count];
    const mp::gradient_check_result<double> check =
        mp::check_gradient<Loss>(tied, x, d, mp::span<double>(scratch));
    EXPECT_TRUE(check.outcome == mp::status::ok);
    EXPECT_LT(check.max_relative_error, 1e-4);
}

}  // namespace

TEST(tied, autoencoder_matches_untied_twin_and_finite_differences)
{
    check_against_untied_twin<tied_ae, untied_ae, mp::squared_error>(3);
}

TEST(tied, tie_past_the_first_layer_matches_untied_twin_and_finite_differences)
{
    check_against_untied_twin<deep_tied, deep_untied, mp::squared_error>(4);
}

TEST(tied, theory_4_formula_for_the_shared_weight)
{
    // Theory notes section 4 (include/microprop/theory.md) written out for the 3-2-3 autoencoder, squared error, output o3 = sigmoid:
    // dE/dw_ji = sum_k dE/do_k f'(net_k) w_ki f'(net_i) o1_j + dE/do_j f'(net_j) o2_i,
    // w_ji the encoder weight from input j to hidden i (stored at W1[i][j]).
    tied_ae net;
    numtest::fill_parameters(net, 5);
    double x[3], d[3] = {0.2, 0.9, 0.4};
    fill_input<tied_ae>(x, 3, 6);
    const double* theta = net.parameters().data();
    double hidden[2], out[3];
    for (std::size_t i = 0; i < 2; ++i) {
        double net_i = theta[6 + i];
        for (std::size_t j = 0; j < 3; ++j) net_i += theta[i * 3 + j] * x[j];
        hidden[i] = std::tanh(net_i);
    }
    for (std::size_t k = 0; k < 3; ++k) {
        double net_k = theta[8 + k];
        for (std::size_t i = 0; i < 2; ++i) net_k += theta[i * 3 + k] * hidden[i];
        out[k] = 1.0 / (1.0 + std::exp(-net_k));
    }
    double g[tied_ae::parameter_count];
    mp::trainer<tied_ae, mp::squared_error> backprop(net);
    ASSERT_TRUE(backprop.compute_gradient(x, d, g) == mp::status::ok);
    for (std::size_t i = 0; i < 2; ++i) {
        for (std::size_t j = 0; j < 3; ++j) {
            double through_hidden = 0.0;
            for (std::size_t k = 0; k < 3; ++k) {
                through_hidden += (out[k] - d[k]) * out[k] * (1.0 - out[k]) * theta[i * 3 + k];
            }
            through_hidden *= (1.0 - hidden[i] * hidden[i]) * x[j];
            const double direct = (out[j] - d[j]) * out[j] * (1.0 - out[j]) * hidden[i];
            EXPECT_TRUE(numtest::close(g[i * 3 + j], through_hidden + direct, 1e-15, 1e-12, "dE/dw", i * 3 + j,
                                       __FILE__, __LINE__));
        }
    }
}

TEST(tied, fused_sgd_equals_the_gradient_step)
{
    // Tie to layer 0: the fused step (no gradient buffer) must equal theta - lr * gradient
    // computed before the step, for every parameter, shared ones included.
    tied_ae fused_net, reference_net;
    numtest::fill_parameters(fused_net, 7);
    numtest::fill_parameters(reference_net, 7);
    mp::trainer<tied_ae, mp::squared_error> fused(fused_net, mp::sgd{0.1f, 0.0f});
    mp::trainer<tied_ae, mp::squared_error, mp::momentum> buffered(reference_net, mp::momentum{0.1f, 0.0f, false, 0.0f});
    static_assert(mp::trainer<tied_ae, mp::squared_error>::gradient_count == 0, "fused: no gradient buffer");
    for (std::uint32_t step = 0; step < 5; ++step) {
        double x[3];
        fill_input<tied_ae>(x, 3, 10 + step);
        ASSERT_TRUE(fused.train_sample(x, x) == mp::status::ok);
        ASSERT_TRUE(buffered.train_sample(x, x) == mp::status::ok);
    }
    for (std::size_t k = 0; k < tied_ae::parameter_count; ++k) {
        EXPECT_TRUE(numtest::close(fused_net.parameters()[k], reference_net.parameters()[k], 1e-15, 1e-12, "theta", k,
                                   __FILE__, __LINE__));
    }
}

TEST(tied, minibatch_gradient_is_the_mean_of_sample_gradients)
{
    constexpr std::size_t n = 4;
    deep_tied net;
    numtest::fill_parameters(net, 8);
    double xs[n * 3], ds[n * 2];
    fill_input<deep_tied>(xs, n * 3, 9);
    for (std::size_t k = 0; k < n * 2; ++k) ds[k] = 0.3 * static_cast<double>(k % 3);
    double mean[deep_tied::parameter_count] = {}, one[deep_tied::parameter_count], batch[deep_tied::parameter_count];
    mp::trainer<deep_tied, mp::squared_error> per_sample(net);
    for (std::size_t s = 0; s < n; ++s) {
        ASSERT_TRUE(per_sample.compute_gradient_unchecked(xs + 3 * s, ds + 2 * s, one) == mp::status::ok);
        for (std::size_t k = 0; k < deep_tied::parameter_count; ++k) mean[k] += one[k] / n;
    }
    mp::trainer<deep_tied, mp::squared_error, mp::sgd, n> batched(net);
    ASSERT_TRUE(batched.compute_batch_gradient(xs, ds, batch) == mp::status::ok);
    for (std::size_t k = 0; k < deep_tied::parameter_count; ++k) {
        EXPECT_TRUE(numtest::close(batch[k], mean[k], 1e-15, 1e-12, "batch gradient", k, __FILE__, __LINE__));
    }
}

TEST(tied, input_jacobian_matches_finite_differences)
{
    tied_ae net;
    numtest::fill_parameters(net, 11);
    double x[3];
    fill_input<tied_ae>(x, 3, 12);
    double jacobian[9], scratch[2 * tied_ae::max_width];
    ASSERT_TRUE(mp::input_jacobian(net, x, mp::span<double>(jacobian), mp::span<double>(scratch)) == mp::status::ok);
    const double h = 1e-6;
    for (std::size_t i = 0; i < 3; ++i) {
        double up[3], down[3];
        const double original = x[i];
        x[i] = original + h;
        for (std::size_t k = 0; k < 3; ++k) up[k] = net.forward(x)[k];
        x[i] = original - h;
        for (std::size_t k = 0; k < 3; ++k) down[k] = net.forward(x)[k];
        x[i] = original;
        for (std::size_t k = 0; k < 3; ++k) {
            // Central difference in double: error O(h^2) + 1e-16 / h, far below 1e-8.
            EXPECT_TRUE(numtest::close(jacobian[k * 3 + i], (up[k] - down[k]) / (2 * h), 1e-8, 0.0, "jacobian",
                                       k * 3 + i, __FILE__, __LINE__));
        }
    }
}

TEST(tied, exact_hessian_matches_finite_differences_of_the_gradient)
{
    constexpr std::size_t p = tied_ae::parameter_count;
    tied_ae net;
    numtest::fill_parameters(net, 13);
    double x[3], d[3] = {0.1, 0.7, 0.5};
    fill_input<tied_ae>(x, 3, 14);
    double* exact = matrix_a;
    double* numeric = matrix_b;
    for (std::size_t k = 0; k < p * p; ++k) exact[k] = 0.0;
    double scratch[mp::exact_hessian_scratch_size<tied_ae>];
    ASSERT_TRUE(mp::exact_hessian<mp::squared_error>(net, x, d, mp::span<double>(exact, p * p), mp::span<double>(scratch)) ==
                mp::status::ok);
    mp::trainer<tied_ae, mp::squared_error> backprop(net);
    const double h = 1e-5;  // central differences of the gradient: O(h^2) ~ 1e-10
    for (std::size_t q = 0; q < p; ++q) {
        double up[p], down[p];
        const double original = net.parameters()[q];
        net.parameters()[q] = original + h;
        ASSERT_TRUE(backprop.compute_gradient(x, d, up) == mp::status::ok);
        net.parameters()[q] = original - h;
        ASSERT_TRUE(backprop.compute_gradient(x, d, down) == mp::status::ok);
        net.parameters()[q] = original;
        for (std::size_t r = 0; r < p; ++r) numeric[r * p + q] = (up[r] - down[r]) / (2 * h);
    }
    for (std::size_t k = 0; k < p * p; ++k) {
        EXPECT_TRUE(numtest::close(exact[k], numeric[k], 1e-7, 0.0, "hessian", k, __FILE__, __LINE__));
    }
}

TEST(tied, outer_product_hessian_matches_finite_difference_output_gradients)
{
    // sum_k b_k b_k^T with b_k = dy_k/dtheta over the tied parameters: b_k by central
    // differences of the outputs, so the shared weights' columns come out of the network
    // itself, not out of the library's backward pass.
    constexpr std::size_t p = tied_ae::parameter_count;
    tied_ae net;
    numtest::fill_parameters(net, 17);
    double x[3];
    fill_input<tied_ae>(x, 3, 18);
    double* library = matrix_a;
    double* numeric = matrix_b;
    double b[3][p];
    for (std::size_t k = 0; k < p * p; ++k) library[k] = 0.0;
    double scratch[p + 2 * tied_ae::max_width];
    const double d[3] = {0.0, 0.0, 0.0};  // squared error: the Gauss-Newton matrix does not depend on d
    ASSERT_TRUE(mp::outer_product_hessian<mp::squared_error>(net, x, d, mp::span<double>(library, p * p),
                                                             mp::span<double>(scratch)) == mp::status::ok);
    const double h = 1e-6;
    for (std::size_t q = 0; q < p; ++q) {
        const double original = net.parameters()[q];
        net.parameters()[q] = original + h;
        double up[3];
        for (std::size_t k = 0; k < 3; ++k) up[k] = net.forward(x)[k];
        net.parameters()[q] = original - h;
        for (std::size_t k = 0; k < 3; ++k) b[k][q] = (up[k] - net.forward(x)[k]) / (2 * h);
        net.parameters()[q] = original;
    }
    for (std::size_t r = 0; r < p; ++r) {
        for (std::size_t q = 0; q < p; ++q) {
            numeric[r * p + q] = 0.0;
            for (std::size_t k = 0; k < 3; ++k) numeric[r * p + q] += b[k][r] * b[k][q];
            EXPECT_TRUE(numtest::close(library[r * p + q], numeric[r * p + q], 1e-8, 0.0, "outer product", r * p + q,
                                       __FILE__, __LINE__));
        }
    }
}

TEST(tied, diagonal_hessian_is_the_untied_diagonal_folded)
{
    // The Becker-Le Cun diagonal keeps, for a shared weight, both uses' own terms: the untied
    // twin's diagonal with the tied layer's entries added, transposed, to its source's.
    tied_ae tied;
    numtest::fill_parameters(tied, 19);
    untied_ae untied;
    untie(tied, untied);
    double x[3], d[3] = {0.3, 0.6, 0.2};
    fill_input<tied_ae>(x, 3, 20);
    double tied_diagonal[tied_ae::parameter_count] = {}, untied_diagonal[untied_ae::parameter_count] = {};
    double folded[tied_ae::parameter_count];
    double scratch[4 * untied_ae::max_width + untied_ae::output_size * untied_ae::output_size];
    ASSERT_TRUE(mp::hessian_diagonal<mp::squared_error>(tied, x, d, mp::span<double>(tied_diagonal),
                                                         mp::span<double>(scratch)) == mp::status::ok);
    ASSERT_TRUE(mp::hessian_diagonal<mp::squared_error>(untied, x, d, mp::span<double>(untied_diagonal),
                                                         mp::span<double>(scratch)) == mp::status::ok);
    fold<tied_ae, untied_ae>(untied_diagonal, folded);
    for (std::size_t k = 0; k < tied_ae::parameter_count; ++k) {
        EXPECT_TRUE(numtest::close(tied_diagonal[k], folded[k], 1e-15, 1e-12, "diagonal", k, __FILE__, __LINE__));
    }
}

TEST(tied, blob_of_the_untied_twin_is_rejected)
{
    static_assert(mp::topology_hash<tied_ae>() != mp::topology_hash<untied_ae>(), "a tie changes the hash");
    static_assert(mp::topology_hash<deep_tied>() != mp::topology_hash<deep_untied>(), "");
    untied_ae untied;
    numtest::fill_parameters(untied, 15);
    std::uint8_t blob[mp::blob_bytes<untied_ae>];
    ASSERT_TRUE(mp::save_parameters(untied, mp::span<std::uint8_t>(blob)) == mp::status::ok);
    tied_ae tied;
    numtest::fill_parameters(tied, 16);
    double before[tied_ae::parameter_count];
    for (std::size_t k = 0; k < tied_ae::parameter_count; ++k) before[k] = tied.parameters()[k];
    EXPECT_TRUE(mp::load_parameters(tied, mp::span<const std::uint8_t>(blob)) != mp::status::ok);
    EXPECT_TRUE(numtest::same_bits(before, tied.parameters().data(), tied_ae::parameter_count));
    // Its own blob round-trips.
    std::uint8_t own[mp::blob_bytes<tied_ae>];
    ASSERT_TRUE(mp::save_parameters(tied, mp::span<std::uint8_t>(own)) == mp::status::ok);
    tied_ae copy;
    ASSERT_TRUE(mp::load_parameters(copy, mp::span<const std::uint8_t>(own)) == mp::status::ok);
    EXPECT_TRUE(numtest::same_bits(tied.parameters().data(), copy.parameters().data(), tied_ae::parameter_count));
}

TEST(tied, float_autoencoder_learns_to_reconstruct)
{
    // A 6-3-6 tied autoencoder in float on inputs that live on a 3-dimensional subspace:
    // fused per-sample SGD must bring the reconstruction error down by 10x.
    using net_t = mp::network<float, mp::dense<6, 3>, mp::tanh, mp::tied<0>>;
    net_t net(21);
    mp::trainer<net_t, mp::squared_error> tr(net, mp::sgd{0.05f, 0.0f});
    float samples[32][6];
    numtest::lcg rng(22);
    for (auto& s : samples) {
        const float a = static_cast<float>(rng.symmetric()), b = static_cast<float>(rng.symmetric()),
                    c = static_cast<float>(rng.symmetric());
        const float v[6] = {a, b, c, 0.5f * (a + b), 0.5f * (b - c), 0.5f * (a - c)};
        for (std::size_t i = 0; i < 6; ++i) s[i] = 0.5f * v[i];
    }
    auto mean_error = [&] {
        double total = 0.0;
        for (const auto& s : samples) total += numtest::squared_error_loss(net.forward(s).data(), s, 6);
        return total / 32.0;
    };
    const double before = mean_error();
    for (int epoch = 0; epoch < 300; ++epoch) {
        for (const auto& s : samples) ASSERT_TRUE(tr.train_sample(s, s) == mp::status::ok);
    }
    const double after = mean_error();
    EXPECT_LT(after, before / 10.0);
}
