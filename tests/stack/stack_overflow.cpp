// Overflows the stack on purpose, three ways, and expects the port to stop the program
// with "fatal: stack overflow (...)" and exit status 5 before anything reaches the
// static data (ctest: stack_overflow_*, Cortex-M ports under QEMU only).
//
//   STACK_OVERFLOW_RECURSION      unbounded recursion, 64 B of locals per call
//   STACK_OVERFLOW_LARGE_FRAME    one local array as large as all of RAM, filled from its
//                                 top down (as a loop writing a buffer's end first does):
//                                 its first writes are legal, later ones leave the stack
//   STACK_OVERFLOW_LOCAL_NETWORK  a network declared as a local variable whose weights alone
//                                 need more than the whole RAM (it links: locals are not
//                                 counted at link time; a `static` one would not link)
//   STACK_OVERFLOW_NONE_TRAP      no overflow: an undefined instruction, which must be
//                                 reported as a plain fault ("fatal: fault (...)", status 3)
//
// A network in .bss stands for the model a device keeps: if the program ever gets past
// the overflow, it reports how many of its weights changed and exits 0, which fails
// the test (before this port had a guard, 353 of 676 weights changed on the M4F and the
// program exited 0).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <microprop/microprop.hpp>

#include "console.hpp"
#include "port.h"

namespace mp = microprop;

#if !defined(MICROPROP_PORT_RAM_BYTES)
#error "stack_overflow.cpp needs MICROPROP_PORT_RAM_BYTES (tests/stack/CMakeLists.txt)"
#endif

namespace {

using guarded_network = mp::network<float, mp::dense<16, 32>, mp::relu, mp::dense<32, 4>, mp::softmax>;
guarded_network model;  // in .bss, as a device's model would be

/// How many of the model's parameters differ, bit for bit, from a fresh copy drawn from
/// the same seed (the copy is in .bss too; it is only made after the overflow).
std::size_t changed_parameters()
{
    static guarded_network fresh;
    fresh.initialize(7);
    std::size_t changed = 0;
    for (std::size_t i = 0; i < model.parameters().size(); ++i) {
        changed += std::memcmp(&model.parameters()[i], &fresh.parameters()[i], sizeof(float)) != 0 ? 1u : 0u;
    }
    return changed;
}

#if defined(STACK_OVERFLOW_RECURSION)
volatile std::uint32_t deepest = 0;

__attribute__((noinline)) std::uint32_t recurse(std::uint32_t depth)
{
    volatile std::uint32_t locals[16];
    for (auto& word : locals) word = depth;
    if (depth > deepest) deepest = depth;
    // Never true (depth only grows): keeps the call from being a tail call.
    if (depth == 0xFFFFFFFFu) return locals[3];
    return recurse(depth + 1) + locals[depth % 16];
}

void overflow() { console::print("recursed ", recurse(1), " deep\n"); }

#elif defined(STACK_OVERFLOW_LARGE_FRAME)
__attribute__((noinline)) void overflow()
{
    volatile std::uint32_t buffer[MICROPROP_PORT_RAM_BYTES / 4];
    for (std::size_t i = MICROPROP_PORT_RAM_BYTES / 4; i-- > 0;) buffer[i] = 0xDEADBEEFu;
    console::print("filled a ", sizeof buffer, " B local array\n");
}

#elif defined(STACK_OVERFLOW_LOCAL_NETWORK)
// 64 inputs, enough hidden units that the weights alone exceed the RAM.
constexpr std::size_t hidden = MICROPROP_PORT_RAM_BYTES / (64 * sizeof(float)) + 1;
using oversized_network = mp::network<float, mp::dense<64, hidden>, mp::relu, mp::dense<hidden, 2>, mp::softmax>;
static_assert(oversized_network::bytes > MICROPROP_PORT_RAM_BYTES, "the local network must not fit the RAM");

__attribute__((noinline)) void overflow()
{
    oversized_network local(42);
    mp::trainer<oversized_network, mp::cross_entropy> trainer(local, mp::sgd{0.01f});
    static const float x[64] = {1.0f};
    static const float target[2] = {1.0f, 0.0f};
    const mp::status step = trainer.train_sample(x, target);
    console::print("trained a ", sizeof local, " B local network: ", mp::to_string(step), "\n");
}
#elif defined(STACK_OVERFLOW_NONE_TRAP)
// The control: a fault that is not a stack overflow (an undefined instruction, UDF, which
// faults the same way on every core) must be reported as a plain fault with its pc.
__attribute__((noinline)) void overflow()
{
    __builtin_trap();
}
#else
#error "define one of STACK_OVERFLOW_RECURSION, STACK_OVERFLOW_LARGE_FRAME, STACK_OVERFLOW_LOCAL_NETWORK, STACK_OVERFLOW_NONE_TRAP"
#endif

}  // namespace

int main()
{
    microprop_port_init();
    model.initialize(7);
    console::print("overflowing the stack on purpose; the model has ", model.parameters().size(), " parameters\n");
    overflow();
    console::print("no fault: the overflow went unnoticed; ", changed_parameters(), " of ",
                   model.parameters().size(), " model parameters changed\n");
    microprop_port_exit(0);
}
