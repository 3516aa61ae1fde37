// Instruction counting under QEMU -icount, shared by the benchmark programs.
//
// The port counter advances a fixed number of ticks per executed instruction;
// calibrate() measures that ratio on a loop of known length (2 instructions per
// iteration) in the same run, so the programs print instructions whatever the
// counter's clock.
#ifndef MICROPROP_BENCH_ICOUNT_HPP
#define MICROPROP_BENCH_ICOUNT_HPP

#include <stddef.h>
#include <stdint.h>

#include <port.h>

namespace icount {

/// 2 instructions per iteration on every Thumb core (subs + taken bne).
__attribute__((noinline)) inline void known_loop(uint32_t n)
{
#if defined(__arm__) && defined(__thumb2__)
    __asm volatile("1: subs %0, %0, #1\n\tbne 1b" : "+l"(n) : : "cc");
#elif defined(__arm__)
    __asm volatile("1: sub %0, #1\n\tbne 1b" : "+l"(n) : : "cc");  // Thumb-1 inline asm: divided syntax
#else
    volatile uint32_t sink = n;
    while (sink != 0) sink = sink - 1;
#endif
}

/// Counter ticks per executed instruction (1 when the counter does not advance).
inline double calibrate()
{
    constexpr uint32_t n1 = 20000, n2 = 120000;
    uint32_t t0 = microprop_port_counter();
    known_loop(n1);
    uint32_t t1 = microprop_port_counter();
    known_loop(n2);
    uint32_t t2 = microprop_port_counter();
    const double d = static_cast<double>((t2 - t1)) - static_cast<double>((t1 - t0));
    const double ticks = d / (2.0 * (n2 - n1));
    return ticks > 0.0 ? ticks : 1.0;
}

/// Instructions of n calls body(0) ... body(n - 1), loop included.
template <class F>
double instructions(F&& body, size_t n, double ticks_per_instruction)
{
    const uint32_t t0 = microprop_port_counter();
    for (size_t s = 0; s < n; ++s) body(s);
    const uint32_t t1 = microprop_port_counter();
    return static_cast<double>(t1 - t0) / ticks_per_instruction;
}

}  // namespace icount

#endif
