// Heap-free text output over the port's write function.
//
// newlib's printf family allocates (even snprintf of an integer links
// _malloc_r), so programs print through this instead: integers, fixed-point
// and scientific floats, all formatted into a small stack buffer.
#ifndef MICROPROP_CONSOLE_HPP
#define MICROPROP_CONSOLE_HPP

#include <stddef.h>
#include <stdint.h>

#include "port.h"

namespace console {

/// Formatting precision for the next float printed by print(): `fixed{v, d}`
/// prints d decimals, `sci{v, d}` prints d significant decimals and an exponent.
struct fixed { double value; int decimals; };
struct sci { double value; int decimals; };

inline void write(const char* text)
{
    size_t n = 0;
    while (text[n] != '\0') ++n;
    microprop_port_write(text, n);
}

inline void write_unsigned(uint64_t v)
{
    char buf[21];
    int i = 20;
    buf[i] = '\0';
    do {
        buf[--i] = static_cast<char>('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    write(buf + i);
}

inline void write_signed(int64_t v)
{
    if (v < 0) {
        write("-");
        write_unsigned(static_cast<uint64_t>(-(v + 1)) + 1u);
    } else {
        write_unsigned(static_cast<uint64_t>(v));
    }
}

/// Returns true (and prints nan/inf) when v is not a finite number.
inline bool write_non_finite(double v)
{
    if (v != v) { write("nan"); return true; }
    if (v > 1.7976931348623157e308) { write("inf"); return true; }
    if (v < -1.7976931348623157e308) { write("-inf"); return true; }
    return false;
}

inline void write_fixed(double v, int decimals)
{
    if (write_non_finite(v)) return;
    if (v < 0) { write("-"); v = -v; }
    double scale = 1.0;
    for (int i = 0; i < decimals; ++i) scale *= 10.0;
    if (v * scale >= 1.8e19) { write("(too large)"); return; }
    const uint64_t scaled = static_cast<uint64_t>(v * scale + 0.5);
    const uint64_t whole_scale = static_cast<uint64_t>(scale);
    write_unsigned(scaled / whole_scale);
    if (decimals <= 0) return;
    write(".");
    uint64_t frac = scaled % whole_scale;
    char digits[20];
    for (int i = decimals - 1; i >= 0; --i) {
        digits[i] = static_cast<char>('0' + frac % 10u);
        frac /= 10u;
    }
    digits[decimals] = '\0';
    write(digits);
}

inline void write_sci(double v, int decimals)
{
    if (write_non_finite(v)) return;
    if (v < 0) { write("-"); v = -v; }
    int exponent = 0;
    if (v != 0.0) {
        while (v >= 10.0) { v /= 10.0; ++exponent; }
        while (v < 1.0) { v *= 10.0; --exponent; }
    }
    double rounding = 0.5;
    for (int i = 0; i < decimals; ++i) rounding /= 10.0;
    if (v + rounding >= 10.0) { v /= 10.0; ++exponent; }
    write_fixed(v, decimals);
    write(exponent < 0 ? "e-" : "e+");
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) write("0");
    write_unsigned(static_cast<uint64_t>(magnitude));
}

inline void print_one(const char* v) { write(v); }
inline void print_one(char* v) { write(v); }
inline void print_one(char v) { microprop_port_write(&v, 1); }
inline void print_one(bool v) { write(v ? "true" : "false"); }
inline void print_one(int v) { write_signed(v); }
inline void print_one(long v) { write_signed(v); }
inline void print_one(long long v) { write_signed(v); }
inline void print_one(unsigned v) { write_unsigned(v); }
inline void print_one(unsigned long v) { write_unsigned(v); }
inline void print_one(unsigned long long v) { write_unsigned(v); }
inline void print_one(double v) { write_sci(v, 6); }
inline void print_one(float v) { write_sci(static_cast<double>(v), 6); }
inline void print_one(fixed v) { write_fixed(v.value, v.decimals); }
inline void print_one(sci v) { write_sci(v.value, v.decimals); }

/// print("epoch ", 3, " loss=", console::sci{loss, 4}, "\n");
template <class... Args>
void print(const Args&... args)
{
    (print_one(args), ...);
}

}  // namespace console

#endif
