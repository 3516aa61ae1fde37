// The minibatch kernels the engine runs (kernels::active: vector kernels on the host and on
// Helium, VLDM/VSTM row kernels on the other Cortex-M cores with an FPU) against the
// reference kernels, tied (transposed) layers included, for both input layouts (the first layer reads the samples `[N][in]`,
// later layers their input `[in][N]`), on shapes that reach every vector, chunk and tail
// path: widths and batch sizes below, at and past each vector length and register block.
//
// Tolerance: inputs lie in [-1, 1], so a sum of k terms is at most k in magnitude and the
// fast kernels (another summation order, fused multiply-adds) stay within 1e-5 (1 + k) of it.
#include <microprop/microprop.hpp>

#include <cstddef>

#include "microtest.hpp"

namespace mp = microprop;
namespace active = microprop::kernels::active;
namespace reference = microprop::kernels::reference;

namespace {

#if defined(__arm__) && MICROPROP_KERNELS_VFP
// 144 inputs: the first layer's gradient switches to gathered row updates from 128 on.
constexpr std::size_t input_widths[] = {1, 3, 4, 8, 9, 16, 17, 33, 144};
constexpr std::size_t output_widths[] = {1, 3, 4, 5, 8, 9, 17};
constexpr std::size_t batch_sizes[] = {1, 3, 4, 8, 9, 16};
#elif defined(__arm__)
constexpr std::size_t input_widths[] = {1, 3, 4, 8, 9, 16, 17, 33};
constexpr std::size_t output_widths[] = {1, 3, 4, 5, 8, 9, 17};
constexpr std::size_t batch_sizes[] = {1, 3, 4, 8, 9, 16};
#else
constexpr std::size_t input_widths[] = {1, 3, 4, 8, 9, 16, 17, 33, 64, 65, 130};
constexpr std::size_t output_widths[] = {1, 3, 4, 5, 8, 9, 17, 33, 64, 70};
constexpr std::size_t batch_sizes[] = {1, 3, 4, 8, 9, 16, 31, 32, 33, 40};
#endif
constexpr std::size_t max_in = input_widths[sizeof input_widths / sizeof input_widths[0] - 1];
constexpr std::size_t max_out = output_widths[sizeof output_widths / sizeof output_widths[0] - 1];
constexpr std::size_t max_n = batch_sizes[sizeof batch_sizes / sizeof batch_sizes[0] - 1];

float w[max_in * max_out], b[max_out];
float x[max_in * max_n];       // [n][in] for the first layer, [in][n] for the others
float delta[max_out * max_n];  // [out][n], every fifth value exactly 0 (an inactive unit)
float fast_out[max_in * max_out > max_in * max_n ? max_in * max_out : max_in * max_n];
float ref_out[sizeof fast_out / sizeof fast_out[0]];
float fast_bias[max_out], ref_bias[max_out];

float magnitude(float v) { return v < 0.0f ? -v : v; }

void fill(mp::random_generator& rng, std::size_t in, std::size_t out, std::size_t n)
{
    for (std::size_t k = 0; k < in * out; ++k) w[k] = rng.uniform<float>(-1.0f, 1.0f);
    for (std::size_t j = 0; j < out; ++j) b[j] = rng.uniform<float>(-1.0f, 1.0f);
    for (std::size_t k = 0; k < in * n; ++k) x[k] = rng.uniform<float>(-1.0f, 1.0f);
    for (std::size_t k = 0; k < out * n; ++k) delta[k] = k % 5 == 3 ? 0.0f : rng.uniform<float>(-1.0f, 1.0f);
}

/// The first `count` values agree within 1e-5 (1 + terms).
bool agree(const float* fast, const float* ref, std::size_t count, std::size_t terms)
{
    const float tolerance = 1e-5f * (1.0f + static_cast<float>(terms));
    for (std::size_t k = 0; k < count; ++k) {
        if (!(magnitude(fast[k] - ref[k]) <= tolerance)) return false;
    }
    return true;
}

/// Every shape through `check(in, out, n, layout)` (layout 0: samples `[n][in]`, 1: `[in][n]`);
/// the first failure is named by its shape.
template <class Check>
void for_every_shape(std::uint32_t seed, Check check)
{
    mp::random_generator rng(seed);
    for (std::size_t in : input_widths) {
        for (std::size_t out : output_widths) {
            for (std::size_t n : batch_sizes) {
                for (int layout = 0; layout < 2; ++layout) {
                    fill(rng, in, out, n);
                    if (!check(in, out, n, layout)) {
                        EXPECT_EQ(static_cast<std::size_t>(layout) * 100000000 + in * 100000 + out * 100 + n,
                                  std::size_t{0});
                        return;
                    }
                }
            }
        }
    }
}

}  // namespace

TEST(batch_kernels, forward_matches_reference_for_both_layouts)
{
    for_every_shape(21, [](std::size_t in, std::size_t out, std::size_t n, int layout) {
        const std::size_t x_row = layout == 0 ? 1 : n;
        const std::size_t x_col = layout == 0 ? in : 1;
        active::dense_forward_batch(w, b, x, x_row, x_col, fast_out, in, out, n);
        reference::dense_forward_batch(w, b, x, x_row, x_col, ref_out, in, out, n);
        return agree(fast_out, ref_out, out * n, in + 1);
    });
}

TEST(batch_kernels, backward_input_matches_reference)
{
    for_every_shape(22, [](std::size_t in, std::size_t out, std::size_t n, int) {
        active::dense_backward_input_batch(w, delta, fast_out, in, out, n);
        reference::dense_backward_input_batch(w, delta, ref_out, in, out, n);
        return agree(fast_out, ref_out, in * n, out);
    });
}

TEST(batch_kernels, tied_layer_forward_and_backward_input_match_reference)
{
    // A tied layer reads W(j, i) at w[i * out + j]; its input is always a layer's `[in][n]` output.
    for_every_shape(25, [](std::size_t in, std::size_t out, std::size_t n, int) {
        active::dense_forward_batch_transposed(w, b, x, n, std::size_t{1}, fast_out, in, out, n);
        reference::dense_forward_batch_transposed(w, b, x, n, std::size_t{1}, ref_out, in, out, n);
        if (!agree(fast_out, ref_out, out * n, in + 1)) return false;
        active::dense_backward_input_batch_transposed(w, delta, fast_out, in, out, n);
        reference::dense_backward_input_batch_transposed(w, delta, ref_out, in, out, n);
        return agree(fast_out, ref_out, in * n, out);
    });
}

TEST(batch_kernels, gradient_matches_reference_for_both_layouts)
{
    for_every_shape(23, [](std::size_t in, std::size_t out, std::size_t n, int layout) {
        const std::size_t x_row = layout == 0 ? 1 : n;
        const std::size_t x_col = layout == 0 ? in : 1;
        const float scale = 1.0f / static_cast<float>(n);
        active::dense_gradient_batch(delta, x, x_row, x_col, fast_out, fast_bias, in, out, n, scale);
        reference::dense_gradient_batch(delta, x, x_row, x_col, ref_out, ref_bias, in, out, n, scale);
        // Each value is scale times a sum of n terms: at most 1 in magnitude.
        return agree(fast_out, ref_out, in * out, 1) && agree(fast_bias, ref_bias, out, 1);
    });
}

TEST(batch_kernels, softmax_of_every_column_matches_reference)
{
    mp::random_generator rng(24);
    for (std::size_t rows : output_widths) {
        for (std::size_t n : batch_sizes) {
            for (int spread = 0; spread < 3; ++spread) {
                // Spreads of 2, 60 and 300: the last drives e^x of most values to 0 or subnormal.
                const float half_range = spread == 0 ? 1.0f : spread == 1 ? 30.0f : 150.0f;
                for (std::size_t k = 0; k < rows * n; ++k) fast_out[k] = ref_out[k] = rng.uniform<float>(-half_range, half_range);
                active::softmax_columns(fast_out, rows, n);
                for (std::size_t s = 0; s < n; ++s) mp::activation::softmax_strided(ref_out + s, rows, n);
                for (std::size_t s = 0; s < n; ++s) {
                    float total = 0.0f;
                    for (std::size_t k = 0; k < rows; ++k) {
                        const float fast = fast_out[k * n + s], ref = ref_out[k * n + s];
                        total += fast;
                        if (!(magnitude(fast - ref) <= 1e-6f + 1e-5f * ref)) {
                            EXPECT_EQ(rows * 10000 + n * 10 + static_cast<std::size_t>(spread), std::size_t{0});
                            return;
                        }
                    }
                    EXPECT_NEAR(total, 1.0f, 1e-5f);
                }
            }
        }
    }
}

TEST(batch_kernels, shared_matrix_gradient_adds_like_reference)
{
    // A tied layer and its source add their minibatch gradients into one buffer: the source
    // with W(j, i) at j * in + i (either layout), the tied layer at i * out + j ([in][n] input).
    // The buffer starts at w's values (|.| <= 1), so each result is at most 2 in magnitude.
    for_every_shape(26, [](std::size_t in, std::size_t out, std::size_t n, int layout) {
        const bool transposed = layout == 1;
        const std::size_t x_row = layout == 0 ? 1 : n;
        const std::size_t x_col = layout == 0 ? in : 1;
        const float scale = 1.0f / static_cast<float>(n);
        for (int pass = 0; pass < 1 + static_cast<int>(transposed); ++pass) {
            const bool tied = transposed && pass == 1;
            for (std::size_t k = 0; k < in * out; ++k) fast_out[k] = ref_out[k] = w[k];
            for (std::size_t j = 0; j < out; ++j) fast_bias[j] = ref_bias[j] = b[j];
            active::dense_add_gradient_batch(delta, x, x_row, x_col, fast_out, fast_bias, in, out, n, scale, tied);
            reference::dense_add_gradient_batch(delta, x, x_row, x_col, ref_out, ref_bias, in, out, n, scale, tied);
            if (!agree(fast_out, ref_out, in * out, 2) || !agree(fast_bias, ref_bias, out, 2)) return false;
        }
        return true;
    });
}
