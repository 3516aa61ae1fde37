// What every example shares: the RAM-budget check, a RAM-free epoch order and
// the printing of accuracies. Printing goes through the port's heap-free
// console only, so the examples run unchanged on the host and bare-metal.
#ifndef MICROPROP_EXAMPLES_EXAMPLE_HPP
#define MICROPROP_EXAMPLES_EXAMPLE_HPP

#include <cstddef>
#include <cstdint>

#include <microprop/random.hpp>

namespace example {

/// Fails to compile when an example needs more RAM than the port has; the two
/// numbers are the template arguments shown in the compiler's note.
template <std::size_t needed_bytes, std::size_t available_bytes>
struct ram_budget {
    static_assert(needed_bytes <= available_bytes,
                  "This example does not fit the port's RAM: it needs needed_bytes and the port has "
                  "available_bytes (both are the template arguments of example::ram_budget<needed_bytes, "
                  "available_bytes> in the note above).");
    static constexpr bool value = true;
};

/// Bytes kept free for the stack (forward/backward use a few hundred bytes;
/// the port's startup and the console a little more).
constexpr std::size_t stack_reserve_bytes = 1024;

/// Visits 0..n-1 in a new pseudo-random order each epoch without a RAM table:
/// index(k) = (offset + k * stride) mod n, with stride coprime to n.
class epoch_order {
public:
    explicit constexpr epoch_order(std::uint32_t n) : n_(n) {}

    void reshuffle(microprop::random_generator& rng)
    {
        offset_ = rng.below(n_);
        do {
            stride_ = 1u + rng.below(n_ - 1u);
        } while (gcd(stride_, n_) != 1u);
    }
    constexpr std::uint32_t operator[](std::uint32_t k) const
    {
        return static_cast<std::uint32_t>((offset_ + static_cast<std::uint64_t>(k) * stride_) % n_);
    }

private:
    static constexpr std::uint32_t gcd(std::uint32_t a, std::uint32_t b)
    {
        while (b != 0u) {
            const std::uint32_t t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
    std::uint32_t n_;
    std::uint32_t offset_ = 0;
    std::uint32_t stride_ = 1;
};

}  // namespace example

/// MICROPROP_EXAMPLE_RAM_CHECK(bytes): static_assert(bytes <= MICROPROP_PORT_RAM_BYTES)
/// when the build knows the port's RAM; nothing otherwise (host).
#if defined(MICROPROP_PORT_RAM_BYTES)
#define MICROPROP_EXAMPLE_RAM_CHECK(bytes) \
    static_assert(::example::ram_budget<(bytes), (MICROPROP_PORT_RAM_BYTES)>::value, "RAM budget")
#else
#define MICROPROP_EXAMPLE_RAM_CHECK(bytes) static_assert((bytes) > 0, "RAM budget")
#endif

#endif
