// Training time by the port's counter, for the examples' result lines.
#ifndef MICROPROP_EXAMPLES_TRAINING_CLOCK_HPP
#define MICROPROP_EXAMPLES_TRAINING_CLOCK_HPP

#include <cstdint>

#include "port.h"

namespace example {

/// Time spent training, by the port's counter: start() before a run of training
/// steps, stop(samples) after it. Under QEMU with -icount shift=6 every
/// instruction takes 64 ns of virtual time, so microseconds_per_sample() * 1000 / 64
/// is the number of instructions per training sample (tests/footprint/footprint.sh).
class training_clock {
public:
    void start() { start_ = microprop_port_counter(); }
    void stop(std::uint32_t samples)
    {
        seconds_ += static_cast<double>(microprop_port_counter() - start_) /
                    static_cast<double>(microprop_port_counter_hz());
        samples_ += samples;
    }
    double seconds() const { return seconds_; }
    double microseconds_per_sample() const { return samples_ == 0 ? 0.0 : seconds_ * 1e6 / samples_; }

private:
    std::uint32_t start_ = 0;
    double seconds_ = 0.0;
    double samples_ = 0.0;
};

}  // namespace example

#endif
