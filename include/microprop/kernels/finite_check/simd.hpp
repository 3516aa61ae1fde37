// The finite-parameter check of scalar.hpp on vectors.
// Compiled by select_simd.hpp (through common/simd_kernel_list.hpp) once per instruction set, so
// it has no include guard; included on its own it includes select_simd.hpp.
#ifndef MICROPROP_SIMD_NAMESPACE
#include "../select_simd.hpp"
#else

namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE {

/// True when none of the n floats is NaN or infinite and none has a magnitude whose bits
/// exceed `bound_bits` (the bits of a finite, non-negative bound): for magnitudes the
/// integer order of the bits is the order of the values, NaN and infinity above them all.
inline bool all_within(const float* values, std::size_t n, std::int32_t bound_bits)
{
    constexpr std::int32_t magnitude = 0x7fffffff;
    const std::size_t rest = n % lanes;
    const float* const tail = values + (n - rest);
    ivec over{};
    for (const float* p = values; p != tail; p += lanes) {
        ivec bits;
        std::memcpy(&bits, p, sizeof bits);
        over |= (bits & magnitude) > bound_bits;
    }
    std::int32_t any = 0;
    for (std::size_t k = 0; k < lanes; ++k) any |= over[k];
    for (std::size_t k = 0; k < rest; ++k) {
        std::int32_t bits;
        std::memcpy(&bits, tail + k, sizeof bits);
        any |= (bits & magnitude) > bound_bits;
    }
    return any == 0;
}

}  // namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE

#endif
