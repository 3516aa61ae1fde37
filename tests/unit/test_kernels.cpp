// The kernels the engine runs (kernels::active: the vector kernels on the host, the VLDM/VSTM
// kernels on Cortex-M cores with an FPU, plain C++ elsewhere) against the reference kernels
// (the specification), on shapes chosen to reach every block, chunk and tail path: widths
// below, at and past each vector length, register-block height and row-group size.
//
// Tolerance: the fast kernels sum in another order and may fuse multiply-adds, so a result
// may differ from the reference by a few roundings of the largest partial sum:
// |fast - reference| <= 1e-5 * (1 + sum of |terms|).
#include <microprop/microprop.hpp>

#include <cstddef>

#include "microtest.hpp"

namespace mp = microprop;
namespace active = microprop::kernels::active;
namespace reference = microprop::kernels::reference;

namespace {

#if defined(__arm__)
// Every Cortex-M target, the 8 KB STM32F100 included, runs the small shapes.
constexpr std::size_t input_widths[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33};
constexpr std::size_t output_widths[] = {1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 17};
#else
// The host adds the widths of the AVX/AVX-512 column chunks (64 and 128 columns) and more
// than one 64-row group of the update.
constexpr std::size_t input_widths[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 64, 65, 72, 130};
constexpr std::size_t output_widths[] = {1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 17, 33, 64, 65, 70};
#endif
constexpr std::size_t max_in = input_widths[sizeof input_widths / sizeof input_widths[0] - 1];
constexpr std::size_t max_out = output_widths[sizeof output_widths / sizeof output_widths[0] - 1];

float w_fast[max_in * max_out], w_ref[max_in * max_out];
float b_fast[max_out], b_ref[max_out];
float x[max_in], delta[max_out], z[max_out];
float out_fast[max_out > max_in ? max_out : max_in], out_ref[max_out > max_in ? max_out : max_in];

float magnitude(float v) { return v < 0.0f ? -v : v; }

/// Random weights, biases, inputs and deltas; every third delta exactly 0 (a dead unit).
void fill(mp::random_generator& rng, std::size_t in, std::size_t out)
{
    for (std::size_t k = 0; k < in * out; ++k) w_fast[k] = w_ref[k] = rng.uniform<float>(-1.0f, 1.0f);
    for (std::size_t j = 0; j < out; ++j) {
        b_fast[j] = b_ref[j] = rng.uniform<float>(-1.0f, 1.0f);
        delta[j] = j % 3 == 1 ? 0.0f : rng.uniform<float>(-1.0f, 1.0f);
        z[j] = j % 4 == 2 ? 0.0f : rng.uniform<float>(0.0f, 1.0f);  // ReLU outputs, some inactive
    }
    for (std::size_t i = 0; i < in; ++i) x[i] = rng.uniform<float>(-1.0f, 1.0f);
}

float row_scale(std::size_t j, std::size_t in)
{
    float s = 1.0f + magnitude(b_ref[j]);
    for (std::size_t i = 0; i < in; ++i) s += magnitude(w_ref[j * in + i] * x[i]);
    return s;
}

/// Parameters after the update: each within 1e-5 of the reference, relative to |w| + |step x|.
bool parameters_match(std::size_t in, std::size_t out, float lr, const float* d)
{
    bool ok = true;
    for (std::size_t j = 0; j < out; ++j) {
        for (std::size_t i = 0; i < in; ++i) {
            const float scale = 1.0f + magnitude(w_ref[j * in + i]) + magnitude(lr * d[j] * x[i]);
            ok = ok && magnitude(w_fast[j * in + i] - w_ref[j * in + i]) <= 1e-5f * scale;
        }
        ok = ok && magnitude(b_fast[j] - b_ref[j]) <= 1e-5f * (1.0f + magnitude(b_ref[j]));
    }
    return ok;
}

}  // namespace

TEST(kernels, forward_matches_reference_for_every_activation)
{
    mp::random_generator rng(11);
    const mp::activation_kind kinds[] = {mp::activation_kind::identity, mp::activation_kind::relu,
                                         mp::activation_kind::sigmoid, mp::activation_kind::tanh,
                                         mp::activation_kind::leaky_relu, mp::activation_kind::softmax};
    for (std::size_t in : input_widths) {
        for (std::size_t out : output_widths) {
            fill(rng, in, out);
            for (std::size_t kind_index = 0; kind_index < sizeof kinds / sizeof kinds[0]; ++kind_index) {
                const mp::activation_kind kind = kinds[kind_index];
                active::dense_forward_activate(w_fast, b_fast, x, out_fast, in, out, kind, 0.01f);
                reference::dense_forward(w_ref, b_ref, x, out_ref, in, out);
                mp::activation::apply(kind, 0.01f, out_ref, out);
                for (std::size_t j = 0; j < out; ++j) {
                    // Activations have slope at most 1 (softmax: its outputs sum to 1).
                    if (magnitude(out_fast[j] - out_ref[j]) > 1e-5f * row_scale(j, in) + 1e-6f) {
                        EXPECT_NEAR(out_fast[j], out_ref[j], 1e-5f * row_scale(j, in));
                        // Names the failing case: activation index, in, out and the output.
                        EXPECT_EQ(kind_index * 10000000 + in * 10000 + out * 100 + j, std::size_t{0});
                        return;
                    }
                }
            }
        }
    }
}

TEST(kernels, fused_sgd_step_matches_reference_with_and_without_g_in)
{
    mp::random_generator rng(12);
    const float lr = 0.1f;
    for (std::size_t in : input_widths) {
        for (std::size_t out : output_widths) {
            for (int pass_down = 0; pass_down < 2; ++pass_down) {
                fill(rng, in, out);
                float* g_fast = pass_down ? out_fast : nullptr;
                float* g_ref = pass_down ? out_ref : nullptr;
                active::dense_backward_sgd(w_fast, b_fast, x, delta, g_fast, in, out, lr, 0.0f);
                // g_in from the weights on entry: w_ref still holds them until the reference step.
                float g_scale[max_in];
                for (std::size_t i = 0; i < in; ++i) {
                    g_scale[i] = 1.0f;
                    for (std::size_t j = 0; j < out; ++j) g_scale[i] += magnitude(w_ref[j * in + i] * delta[j]);
                }
                reference::dense_backward_sgd(w_ref, b_ref, x, delta, g_ref, in, out, lr, 0.0f);
                bool ok = parameters_match(in, out, lr, delta);
                for (std::size_t i = 0; pass_down && i < in; ++i) {
                    ok = ok && magnitude(g_fast[i] - g_ref[i]) <= 1e-5f * g_scale[i];
                }
                if (!ok) {
                    EXPECT_EQ(in * 1000 + out, std::size_t{0});  // names the failing shape
                    return;
                }
            }
        }
    }
}

TEST(kernels, first_layer_update_below_relu_matches_reference)
{
    mp::random_generator rng(13);
    const float lr = 0.1f;
    for (std::size_t in : input_widths) {
        for (std::size_t out : output_widths) {
            fill(rng, in, out);
            float g[max_out], masked[max_out];
            for (std::size_t j = 0; j < out; ++j) {
                g[j] = delta[j];
                masked[j] = z[j] > 0.0f ? delta[j] : 0.0f;
            }
            active::dense_update_below_relu(w_fast, b_fast, x, g, z, in, out, lr, 0.0f);
            reference::dense_backward_sgd(w_ref, b_ref, x, masked, static_cast<float*>(nullptr), in, out, lr, 0.0f);
            if (!parameters_match(in, out, lr, masked)) {
                EXPECT_EQ(in * 1000 + out, std::size_t{0});  // names the failing shape
                return;
            }
        }
    }
}

TEST(kernels, softmax_matches_reference_including_extreme_inputs)
{
    mp::random_generator rng(14);
    for (std::size_t n : output_widths) {
        for (int spread = 0; spread < 3; ++spread) {
            // Spreads of 2, 60 and 300: the last drives e^x of most values to 0 or subnormal.
            const float half_range = spread == 0 ? 1.0f : spread == 1 ? 30.0f : 150.0f;
            for (std::size_t k = 0; k < n; ++k) out_fast[k] = out_ref[k] = rng.uniform<float>(-half_range, half_range);
            active::softmax_strided(out_fast, n, 1);
            mp::activation::softmax_strided(out_ref, n, 1);
            float total = 0.0f;
            for (std::size_t k = 0; k < n; ++k) {
                total += out_fast[k];
                ASSERT_NEAR(out_fast[k], out_ref[k], 1e-6f + 1e-5f * out_ref[k]);
            }
            EXPECT_NEAR(total, 1.0f, 1e-5f);
        }
    }
}

TEST(kernels, activation_backward_matches_reference_for_every_activation)
{
    mp::random_generator rng(15);
    const mp::activation_kind kinds[] = {mp::activation_kind::identity, mp::activation_kind::relu,
                                         mp::activation_kind::sigmoid, mp::activation_kind::tanh,
                                         mp::activation_kind::leaky_relu, mp::activation_kind::softmax};
    for (std::size_t n : output_widths) {
        for (std::size_t kind_index = 0; kind_index < sizeof kinds / sizeof kinds[0]; ++kind_index) {
            const mp::activation_kind kind = kinds[kind_index];
            float z_values[max_out];
            for (std::size_t k = 0; k < n; ++k) {
                // Outputs the activation can produce: (0, 1) for sigmoid and softmax, (-1, 1)
                // for tanh, some exact zeros and negatives for the ReLUs.
                const float u = rng.uniform<float>(-1.0f, 1.0f);
                z_values[k] = kind == mp::activation_kind::sigmoid || kind == mp::activation_kind::softmax
                                  ? 0.5f + 0.49f * u
                                  : k % 4 == 2 ? 0.0f : u;
                out_fast[k] = out_ref[k] = rng.uniform<float>(-2.0f, 2.0f);
            }
            active::activation_backward(kind, 0.01f, z_values, out_fast, n);
            mp::activation::backward(kind, 0.01f, z_values, out_ref, n);
            for (std::size_t k = 0; k < n; ++k) {
                if (magnitude(out_fast[k] - out_ref[k]) > 1e-6f * (1.0f + magnitude(out_ref[k]))) {
                    EXPECT_NEAR(out_fast[k], out_ref[k], 1e-6f * (1.0f + magnitude(out_ref[k])));
                    EXPECT_EQ(kind_index * 1000 + n, std::size_t{0});  // names the failing case
                    return;
                }
            }
        }
    }
}

TEST(kernels, tied_layer_forward_and_fused_step_match_reference)
{
    // A tied layer reads W(j, i) at w[i * out + j]; inputs include exact zeros (inactive
    // ReLU units, which the fast kernels skip).
    mp::random_generator rng(16);
    const float lr = 0.1f;
    for (std::size_t in : input_widths) {
        for (std::size_t out : output_widths) {
            fill(rng, in, out);
            for (std::size_t i = 0; i < in; i += 3) x[i] = 0.0f;
            active::dense_forward_transposed(w_fast, b_fast, x, out_fast, in, out);
            reference::dense_forward_transposed(w_ref, b_ref, x, out_ref, in, out);
            for (std::size_t j = 0; j < out; ++j) {
                float scale = 1.0f + magnitude(b_ref[j]);
                for (std::size_t i = 0; i < in; ++i) scale += magnitude(w_ref[i * out + j] * x[i]);
                if (magnitude(out_fast[j] - out_ref[j]) > 1e-5f * scale) {
                    EXPECT_EQ(in * 1000 + out, std::size_t{0});  // names the failing shape
                    return;
                }
            }
            for (int pass_down = 0; pass_down < 2; ++pass_down) {
                float* g_fast = pass_down ? out_fast : nullptr;
                float* g_ref = pass_down ? out_ref : nullptr;
                float g_scale[max_in];
                for (std::size_t i = 0; i < in; ++i) {
                    g_scale[i] = 1.0f;
                    for (std::size_t j = 0; j < out; ++j) g_scale[i] += magnitude(w_ref[i * out + j] * delta[j]);
                }
                active::dense_backward_sgd_transposed(w_fast, b_fast, x, delta, g_fast, in, out, lr, 0.0f);
                reference::dense_backward_sgd_transposed(w_ref, b_ref, x, delta, g_ref, in, out, lr, 0.0f);
                bool ok = true;
                for (std::size_t i = 0; i < in; ++i) {
                    for (std::size_t j = 0; j < out; ++j) {
                        const float scale = 1.0f + magnitude(w_ref[i * out + j]) + magnitude(lr * delta[j] * x[i]);
                        ok = ok && magnitude(w_fast[i * out + j] - w_ref[i * out + j]) <= 1e-5f * scale;
                    }
                    ok = ok && (!pass_down || magnitude(g_fast[i] - g_ref[i]) <= 1e-5f * g_scale[i]);
                }
                for (std::size_t j = 0; j < out; ++j) {
                    ok = ok && magnitude(b_fast[j] - b_ref[j]) <= 1e-5f * (1.0f + magnitude(b_ref[j]));
                }
                if (!ok) {
                    EXPECT_EQ(100000 + in * 1000 + out, std::size_t{0});  // names the failing shape
                    return;
                }
            }
        }
    }
}

TEST(kernels, gradient_buffer_kernels_match_reference_untied_and_tied)
{
    // The kernels of the gradient-buffer path (momentum, Adam, the gradient check): gW +=
    // scale delta x^T (the buffer starts non-zero: they add), and g_in = W^T delta; for a
    // tied layer the same with W(j, i) at w[i * out + j]. Deltas and inputs include exact
    // zeros, which the fast kernels skip.
    mp::random_generator rng(17);
    const float scale = 0.5f;
    for (std::size_t in : input_widths) {
        for (std::size_t out : output_widths) {
            for (int tied = 0; tied < 2; ++tied) {
                fill(rng, in, out);
                for (std::size_t i = 0; i < in; i += 3) x[i] = 0.0f;
                // g_in = W^T delta from the weights as filled, before the gradient overwrites w_*.
                if (tied) {
                    active::dense_backward_input_transposed(w_fast, delta, out_fast, in, out);
                    reference::dense_backward_input_transposed(w_ref, delta, out_ref, in, out);
                } else {
                    active::dense_backward_input(w_fast, delta, out_fast, in, out);
                    reference::dense_backward_input(w_ref, delta, out_ref, in, out);
                }
                bool ok = true;
                for (std::size_t i = 0; i < in; ++i) {
                    float bound = 1.0f;
                    for (std::size_t j = 0; j < out; ++j) bound += magnitude(w_ref[tied ? i * out + j : j * in + i]);
                    ok = ok && magnitude(out_fast[i] - out_ref[i]) <= 1e-5f * bound;
                }
                if (tied) {
                    active::dense_accumulate_gradient_transposed(delta, x, w_fast, b_fast, in, out, scale);
                    reference::dense_accumulate_gradient_transposed(delta, x, w_ref, b_ref, in, out, scale);
                } else {
                    active::dense_accumulate_gradient(delta, x, w_fast, b_fast, in, out, scale);
                    reference::dense_accumulate_gradient(delta, x, w_ref, b_ref, in, out, scale);
                }
                // Each gradient value is its start (|.| <= 1) plus one product (|.| <= scale).
                for (std::size_t k = 0; k < in * out; ++k) ok = ok && magnitude(w_fast[k] - w_ref[k]) <= 1e-6f;
                for (std::size_t j = 0; j < out; ++j) ok = ok && magnitude(b_fast[j] - b_ref[j]) <= 1e-6f;
                if (!ok) {
                    EXPECT_EQ(static_cast<std::size_t>(tied) * 1000000 + in * 1000 + out, std::size_t{0});
                    return;
                }
            }
        }
    }
}
