// The scalar an example trains in: float, or q3_12 fixed point when the build defines
// MICROPROP_EXAMPLE_FIXED_POINT (the `<name>_fixed` targets of examples/CMakeLists.txt build
// the same main.cpp that way). The data sets stay float in flash; a fixed-point build reads
// each sample through a view that decodes it in float and rounds it to q3_12 with the
// library's microprop::fixed::quantize.
#ifndef MICROPROP_EXAMPLES_EXAMPLE_SCALAR_HPP
#define MICROPROP_EXAMPLES_EXAMPLE_SCALAR_HPP

#include <array>
#include <cstddef>

#include <microprop/microprop.hpp>

#if defined(MICROPROP_EXAMPLE_FIXED_POINT)
#include <microprop/fixed_point.hpp>
#endif

namespace example {

#if defined(MICROPROP_EXAMPLE_FIXED_POINT)
/// The scalar of this build's networks and samples.
using scalar = microprop::q3_12;
/// True in the fixed-point build.
constexpr bool fixed_point = true;
/// Name of the scalar, for the examples' first line.
constexpr const char* scalar_name = "q3_12";
#else
/// The scalar of this build's networks and samples.
using scalar = float;
/// True in the fixed-point build.
constexpr bool fixed_point = false;
/// Name of the scalar, for the examples' first line.
constexpr const char* scalar_name = "float";
#endif

#if defined(MICROPROP_EXAMPLE_FIXED_POINT)
/// A float dataset view read as q3_12: every sample is decoded (and standardised) in float by
/// the wrapped view, then rounded to the nearest q3_12 (saturating outside [-8, 8)). Holds only
/// the wrapped view; a sample costs `Features * 4` bytes of stack while it is converted.
template <class FloatView>
class quantized_view {
public:
    using scalar = microprop::q3_12;                                  ///< what load() writes
    static constexpr std::size_t feature_count = FloatView::feature_count;  ///< values per sample
    static constexpr std::size_t output_count = FloatView::output_count;    ///< classes or target values

    /// Wraps `view` (copied: views hold only pointers).
    explicit constexpr quantized_view(const FloatView& view) : view_(view) {}

    /// The same data restricted to `indices` (FloatView::subset).
    constexpr quantized_view subset(microprop::index_list indices) const
    {
        return quantized_view(view_.subset(indices));
    }
    /// Samples in the view.
    constexpr std::size_t size() const { return view_.size(); }
    /// Row of the arrays that sample k reads.
    constexpr std::size_t row(std::size_t k) const { return view_.row(k); }
    /// True for a classification view.
    constexpr bool has_labels() const { return view_.has_labels(); }
    /// Class of sample k.
    constexpr std::size_t label(std::size_t k) const { return view_.label(k); }

    /// Features of sample k, rounded to q3_12, into `x[0..feature_count)`.
    void load(std::size_t k, scalar* x) const
    {
        std::array<float, feature_count> decoded{};
        view_.load(k, decoded);
        microprop::fixed::quantize(decoded.data(), x, feature_count);
    }
    /// load() into a `std::array`.
    void load(std::size_t k, std::array<scalar, feature_count>& x) const { load(k, x.data()); }
    /// Target of sample k, rounded to q3_12, into `d[0..output_count)`.
    void target(std::size_t k, scalar* d) const
    {
        std::array<float, output_count> decoded{};
        view_.target(k, decoded);
        microprop::fixed::quantize(decoded.data(), d, output_count);
    }
    /// target() into a `std::array`.
    void target(std::size_t k, std::array<scalar, output_count>& d) const { target(k, d.data()); }

private:
    FloatView view_;
};

/// A float view as this build's scalar: wrapped in quantized_view.
template <class FloatView>
constexpr quantized_view<FloatView> in_example_scalar(const FloatView& view)
{
    return quantized_view<FloatView>(view);
}
#else
/// A float view as this build's scalar: the view itself.
template <class FloatView>
constexpr FloatView in_example_scalar(const FloatView& view)
{
    return view;
}
#endif

/// Rounds `count` floats to this build's scalar (a copy in the float build).
inline void to_example_scalar(const float* from, scalar* to, std::size_t count)
{
#if defined(MICROPROP_EXAMPLE_FIXED_POINT)
    microprop::fixed::quantize(from, to, count);
#else
    for (std::size_t k = 0; k < count; ++k) to[k] = from[k];
#endif
}

}  // namespace example

#endif
