// e^x lane by lane for the SIMD kernels (softmax, sigmoid): the reduction and polynomial of
// common/exp_float.hpp, by Estrin's scheme.
// Compiled by select_simd.hpp (through common/simd_kernel_list.hpp) once per instruction set, so
// it has no include guard; included on its own it includes select_simd.hpp.
#ifndef MICROPROP_SIMD_NAMESPACE
#include "../select_simd.hpp"
#else

namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE {

/// a * b + c for vec (madd) and for the 4-lane vec4 (contracted where the target has FMA).
template <class V>
MICROPROP_ALWAYS_INLINE V multiply_add(V a, V b, V c)
{
    if constexpr (sizeof(V) == sizeof(vec)) {
        return madd(a, b, c);
    } else {
        return a * b + c;
    }
}

/// e^x lane by lane for x <= 0 (V = vec or vec4), as exp_nonpositive in exp_float.hpp (same
/// reduction and polynomial, evaluated by Estrin's scheme for a shorter dependency chain):
/// results below FLT_MIN round once as subnormals, x < -103.97 gives 0, NaN propagates.
template <class V>
MICROPROP_ALWAYS_INLINE V exp_nonpositive(V x)
{
    typedef std::uint32_t bits __attribute__((vector_size(sizeof(V))));
    namespace c = kernels::detail::exp_constants;
    const V shifter = V{} + c::shifter;
    const V t = multiply_add(x, V{} + c::log2e, shifter);
    const V n = t - shifter;
    V r = multiply_add(n, V{} - c::ln2_hi, x);
    r = multiply_add(n, V{} - c::ln2_lo, r);
    // q(r) = (e^r - 1 - r) / r^2 = 1/2 + r/6 + r^2/24 + r^3/120 + r^4/720 + r^5/5040.
    const V r2 = r * r;
    const V q01 = multiply_add(r, V{} + 1.0f / 6.0f, V{} + 0.5f);
    const V q23 = multiply_add(r, V{} + 1.0f / 120.0f, V{} + 1.0f / 24.0f);
    const V q45 = multiply_add(r, V{} + 1.0f / 5040.0f, V{} + 1.0f / 720.0f);
    const V q = multiply_add(r2, multiply_add(r2, q45, q23), q01);
    const V one = V{} + 1.0f;
    const V sum = one + r;
    const V sum_error = (one - sum) + r;
    const V p = sum + multiply_add(r2, q, sum_error);
    // 2^(n + 24) added to the exponent, then a multiply by 2^-24: one rounding for subnormals.
    bits p_bits, t_bits;
    std::memcpy(&p_bits, &p, sizeof p_bits);
    std::memcpy(&t_bits, &t, sizeof t_bits);
    p_bits += (t_bits - (0x4B400000u - 24u)) << 23;
    V e;
    std::memcpy(&e, &p_bits, sizeof e);
    e *= 5.9604644775390625e-08f;
    const V in_range = x >= -103.972084f ? e : V{};
    return x != x ? x : in_range;
}

}  // namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE

#endif
