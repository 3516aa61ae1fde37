// Small helpers shared by the numerical unit tests: deterministic parameter
// filling, the losses written out independently of the library, and
// tolerance comparisons. Heap-free and console-only, like the tests.
#ifndef MICROPROP_TESTS_NUMERIC_SUPPORT_HPP
#define MICROPROP_TESTS_NUMERIC_SUPPORT_HPP

#include <microprop/microprop.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "microtest.hpp"

/// Keeps a test case out of its caller, so that cases called one after the
/// other share their stack instead of adding it up (matters on a 16 KB core).
#if defined(__GNUC__)
#define NUMTEST_NOINLINE __attribute__((noinline))
#else
#define NUMTEST_NOINLINE
#endif

namespace numtest {

namespace mp = microprop;

/// A tiny linear congruential generator of the tests' own, so test data does
/// not depend on the library's PRNG (which is itself under test).
class lcg {
public:
    explicit lcg(std::uint32_t seed) : state_(seed * 2654435761u + 12345u) {}
    /// Uniform in [-1, 1) with 24 bits (exact in float and double).
    double symmetric()
    {
        state_ = state_ * 1664525u + 1013904223u;
        return static_cast<double>(state_ >> 8) / 8388608.0 - 1.0;
    }

private:
    std::uint32_t state_;
};

/// Overwrites every weight with U(-1, 1) * gain / sqrt(fan_in) and every bias
/// with U(-0.5, 0.5): nonzero biases (initialize() zeroes them) and
/// activations that are far from saturation, so every gradient entry matters.
/// Works on the layer table, so one copy serves every topology of a scalar type.
template <class T>
void fill_parameters(const mp::layer_info* layers, std::size_t layer_count, T* theta, std::uint32_t seed,
                     double gain)
{
    lcg rng(seed);
    for (std::size_t l = 0; l < layer_count; ++l) {
        const mp::layer_info& layer = layers[l];
        const double scale = gain / std::sqrt(static_cast<double>(layer.inputs));
        T* w = theta + layer.weight_offset;
        for (std::size_t k = 0; k < layer.inputs * layer.outputs; ++k) w[k] = static_cast<T>(scale * rng.symmetric());
        T* b = theta + layer.bias_offset;
        for (std::size_t k = 0; k < layer.outputs; ++k) b[k] = static_cast<T>(0.5 * rng.symmetric());
    }
}
template <class Net>
void fill_parameters(Net& net, std::uint32_t seed, double gain = 1.5)
{
    fill_parameters(Net::layers.data(), Net::layer_count, net.parameters().data(), seed, gain);
}

/// True when both arrays hold exactly the same bits.
template <class T>
bool same_bits(const T* a, const T* b, std::size_t n)
{
    return std::memcmp(a, b, n * sizeof(T)) == 0;
}

inline double absolute(double v) { return v < 0 ? -v : v; }

// ---- Losses written out here, not taken from the library (accumulated in double) ----

template <class T>
double squared_error_loss(const T* y, const T* d, std::size_t n)
{
    double sum = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const double e = static_cast<double>(y[k]) - static_cast<double>(d[k]);
        sum += e * e;
    }
    return 0.5 * sum;
}
template <class T>
double cross_entropy_loss(const T* y, const T* d, std::size_t n)
{
    double sum = 0;
    for (std::size_t k = 0; k < n; ++k) sum -= static_cast<double>(d[k]) * std::log(static_cast<double>(y[k]));
    return sum;
}
template <class T>
double binary_cross_entropy_loss(const T* y, const T* d, std::size_t n)
{
    double sum = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const double yk = static_cast<double>(y[k]);
        const double dk = static_cast<double>(d[k]);
        sum -= dk * std::log(yk) + (1.0 - dk) * std::log(1.0 - yk);
    }
    return sum;
}

/// The test's own loss for each library loss type.
template <class Loss>
struct own_loss;
template <>
struct own_loss<mp::squared_error> {
    template <class T>
    static double value(const T* y, const T* d, std::size_t n) { return squared_error_loss(y, d, n); }
};
template <>
struct own_loss<mp::cross_entropy> {
    template <class T>
    static double value(const T* y, const T* d, std::size_t n) { return cross_entropy_loss(y, d, n); }
};
template <>
struct own_loss<mp::binary_cross_entropy> {
    template <class T>
    static double value(const T* y, const T* d, std::size_t n) { return binary_cross_entropy_loss(y, d, n); }
};

/// |a - b| <= atol + rtol * max(|a|, |b|); prints `what` and index on failure.
inline bool close(double a, double b, double atol, double rtol, const char* what, std::size_t index,
                  const char* file, int line)
{
    const double diff = absolute(a - b);
    const double scale = absolute(a) > absolute(b) ? absolute(a) : absolute(b);
    const bool ok = diff <= atol + rtol * scale;  // false for NaN
    ++microtest::tests().assertions;
    if (!ok) {
        microtest::fail_location(file, line);
        console::print(what, " [", static_cast<unsigned long long>(index), "]: ", console::sci{a, 9}, " vs ",
                       console::sci{b, 9}, " (diff ", console::sci{diff, 3}, ", allowed ",
                       console::sci{atol + rtol * scale, 3}, ")\n");
    }
    return ok;
}

#define NUMTEST_CLOSE(a, b, atol, rtol, what, index) \
    ::numtest::close(static_cast<double>(a), static_cast<double>(b), (atol), (rtol), (what), (index), __FILE__, __LINE__)

}  // namespace numtest

#endif
