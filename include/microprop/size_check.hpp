// Length checks for the arrays handed to the training, inference and evaluation calls.
//
// Every public call that reads a sample, a target or a gradient has three forms:
// - `std::array<T, N>` and C arrays `T[N]` (e.g. data in flash; a minibatch may also be a
//   `T[BatchSize][N]`): the length is checked at compile time by array_length_must_match,
//   whose static_assert names the two numbers as its template arguments (and GCC adds
//   "the comparison reduces to (2 == 3)", Clang "'2UL == 3UL'");
// - `span<const T>`: the length is checked at run time, status::size_mismatch when it is wrong,
//   and nothing changes;
// - `*_unchecked(const T*, ...)`: raw pointers, nothing checked; the caller vouches for the
//   lengths (used inside the library where a pointer walks a buffer whose size it knows).
#ifndef MICROPROP_SIZE_CHECK_HPP
#define MICROPROP_SIZE_CHECK_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "config.hpp"
#include "span.hpp"

namespace microprop {

/// Which argument array_length_must_match checks (it appears in the compiler's note).
enum class array_kind : std::uint8_t {
    input,         ///< one sample's inputs: the network's input_size
    target,        ///< one sample's targets: the network's output_size
    batch_input,   ///< a minibatch's inputs: batch size * input_size
    batch_target,  ///< a minibatch's targets: batch size * output_size
    gradient,      ///< a gradient: the network's parameter_count
};

/// Compile-time check of an array argument's length:
/// `array_length_must_match<array_kind::input, array length, network's length>`.
template <array_kind kind, std::size_t array_length, std::size_t network_length>
struct array_length_must_match {
    static_assert(array_length == network_length,
                  "An array's length differs from what the network takes: "
                  "array_length_must_match<which array, array length, network's length> in the note names both.");
    /// True; the check is the static_assert above.
    static constexpr bool value = true;
};

namespace detail {

/// `fixed_length<A, T>::value` is N for `std::array<T, N>` and `T[N]` (Rows * N for
/// `T[Rows][N]`); `is_fixed` says
/// whether A is one of them (a pointer or a span is not).
template <class A, class T>
struct fixed_length {
    static constexpr bool is_fixed = false;
    static constexpr std::size_t value = 0;
};
template <class T, std::size_t N>
struct fixed_length<std::array<T, N>, T> {
    static constexpr bool is_fixed = true;
    static constexpr std::size_t value = N;
};
template <class T, std::size_t N>
struct fixed_length<T[N], T> {
    static constexpr bool is_fixed = true;
    static constexpr std::size_t value = N;
};
/// A minibatch as a two-dimensional C array `T[Rows][N]` (one sample per row), stored row by row.
template <class T, std::size_t Rows, std::size_t N>
struct fixed_length<T[Rows][N], T> {
    static constexpr bool is_fixed = true;
    static constexpr std::size_t value = Rows * N;
};

/// True when every A is a `std::array<T, N>`, a `T[N]` or a `T[Rows][N]` (after removing const).
template <class T, class... A>
constexpr bool all_fixed = (fixed_length<typename std::remove_cv<A>::type, T>::is_fixed && ...);

/// Enables a checked overload for arrays of T of fixed length only.
template <class T, class... A>
using if_fixed = typename std::enable_if<all_fixed<T, A...>, int>::type;

/// Length of a fixed array type A of T.
template <class A, class T>
constexpr std::size_t length_of = fixed_length<typename std::remove_cv<A>::type, T>::value;

/// The first value of a `std::array` or C array.
template <class T, std::size_t N>
MICROPROP_ALWAYS_INLINE constexpr const T* first_of(const std::array<T, N>& a) { return a.data(); }
template <class T, std::size_t N>
MICROPROP_ALWAYS_INLINE constexpr T* first_of(std::array<T, N>& a) { return a.data(); }
template <class T, std::size_t N>
MICROPROP_ALWAYS_INLINE constexpr const T* first_of(const T (&a)[N]) { return a; }
template <class T, std::size_t N>
MICROPROP_ALWAYS_INLINE constexpr T* first_of(T (&a)[N]) { return a; }
template <class T, std::size_t Rows, std::size_t N>
MICROPROP_ALWAYS_INLINE constexpr const T* first_of(const T (&a)[Rows][N]) { return &a[0][0]; }
template <class T, std::size_t Rows, std::size_t N>
MICROPROP_ALWAYS_INLINE constexpr T* first_of(T (&a)[Rows][N]) { return &a[0][0]; }

/// Compile-time check that fixed arrays Input (and Target) fit Network's input (and output)
/// width; true, or a static_assert of array_length_must_match.
template <class Network, class Input>
constexpr bool input_fits()
{
    return array_length_must_match<array_kind::input, length_of<Input, typename Network::scalar>,
                                   Network::input_size>::value;
}
template <class Network, class Input, class Target>
constexpr bool sample_fits()
{
    return input_fits<Network, Input>() &&
           array_length_must_match<array_kind::target, length_of<Target, typename Network::scalar>,
                                   Network::output_size>::value;
}

}  // namespace detail
}  // namespace microprop

#endif
