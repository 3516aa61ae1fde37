// What every example shares: the RAM-budget check (the epoch order is
// microprop::epoch_order, data.hpp). Printing goes through the port's heap-free
// console only, so the examples run unchanged on the host and bare-metal.
#ifndef MICROPROP_EXAMPLES_EXAMPLE_HPP
#define MICROPROP_EXAMPLES_EXAMPLE_HPP

#include <cstddef>

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
