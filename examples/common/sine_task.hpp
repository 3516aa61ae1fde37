// The regression task of the sine and levenberg_marquardt examples: fit sin(pi u) for u in
// [-1, 1] (the input is x / pi), tested on a finer grid of points than the training grid.
#ifndef MICROPROP_EXAMPLES_SINE_TASK_HPP
#define MICROPROP_EXAMPLES_SINE_TASK_HPP

#include <cmath>
#include <cstdint>

namespace example {

constexpr float pi = 3.14159265358979f;
/// Points of the test grid, mostly between the training points.
constexpr std::uint32_t sine_test_points = 201;

/// Point k of an n-point grid over [-1, 1].
inline float grid_point(std::uint32_t k, std::uint32_t n)
{
    return -1.0f + 2.0f * static_cast<float>(k) / static_cast<float>(n - 1);
}

/// Mean of (y(u) - sin(pi u))^2 over the test grid.
template <class Network>
float sine_test_mse(Network& net)
{
    float sum = 0.0f;
    for (std::uint32_t k = 0; k < sine_test_points; ++k) {
        const float u[1] = {grid_point(k, sine_test_points)};
        const float e = net.forward(u)[0] - std::sin(pi * u[0]);
        sum += e * e;
    }
    return sum / static_cast<float>(sine_test_points);
}

}  // namespace example

#endif
