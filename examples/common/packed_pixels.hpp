// Pixels of 0..31 stored five bits each instead of a byte: the 1797 digits images take 72 KB of
// flash instead of 115 KB, which lets digits_fixed fit the STM32F100's 128 KB. The packing is
// constexpr, so the compiler does it and the byte-per-pixel array is never linked; the view
// decodes one image at a time, exactly (the same values as the bytes).
#ifndef MICROPROP_EXAMPLES_PACKED_PIXELS_HPP
#define MICROPROP_EXAMPLES_PACKED_PIXELS_HPP

#include <array>
#include <cstddef>
#include <cstdint>

#include <microprop/data.hpp>

namespace example {

/// Rows of Features pixels, five bits each: pixel i of a row is bits [5i, 5i + 5) of the row's
/// little-endian bytes (eight pixels in five bytes).
template <std::size_t Rows, std::size_t Features>
struct packed_pixels {
    static_assert(Features % 8 == 0, "Five-bit rows need a multiple of 8 pixels.");
    /// Bytes of one row.
    static constexpr std::size_t row_bytes = Features * 5 / 8;
    /// Every row, one after another.
    std::array<std::uint8_t, Rows * row_bytes> bytes{};
};

/// `pixels` (each below 32) packed five bits each; meant for `static constexpr` use.
template <std::size_t Rows, std::size_t Features>
constexpr packed_pixels<Rows, Features> pack_five_bits(const std::uint8_t (&pixels)[Rows][Features])
{
    packed_pixels<Rows, Features> packed{};
    std::size_t out = 0;
    for (std::size_t r = 0; r < Rows; ++r) {
        for (std::size_t group = 0; group < Features; group += 8) {
            std::uint64_t bits = 0;
            for (std::size_t i = 0; i < 8; ++i) bits |= static_cast<std::uint64_t>(pixels[r][group + i] & 31u) << (5 * i);
            for (std::size_t b = 0; b < 5; ++b) packed.bytes[out++] = static_cast<std::uint8_t>(bits >> (8 * b));
        }
    }
    return packed;
}

/// A classification view (the interface of microprop::dataset_view that training and
/// evaluation use) over five-bit pixels and byte labels, features decoded as pixel * scale.
template <std::size_t Classes, std::size_t Rows, std::size_t Features>
class packed_classification_view {
public:
    using scalar = float;                                  ///< what load() writes
    static constexpr std::size_t feature_count = Features;  ///< values per sample
    static constexpr std::size_t output_count = Classes;    ///< classes

    /// Every row of `pixels`, labelled by `labels` (Rows values); both must outlive the view.
    constexpr packed_classification_view(const packed_pixels<Rows, Features>& pixels, const std::uint8_t* labels,
                                         float scale)
        : pixels_(&pixels), labels_(labels), scale_(scale), indices_(microprop::index_list::all(Rows)) {}

    /// The same data restricted to (and ordered by) `indices`.
    constexpr packed_classification_view subset(microprop::index_list indices) const
    {
        packed_classification_view v = *this;
        v.indices_ = indices;
        return v;
    }
    /// Samples in the view.
    constexpr std::size_t size() const { return indices_.size(); }
    /// Row that sample k reads.
    constexpr std::size_t row(std::size_t k) const { return indices_[k]; }
    /// Always a classification view.
    constexpr bool has_labels() const { return true; }
    /// Class of sample k.
    constexpr std::size_t label(std::size_t k) const { return labels_[row(k)]; }

    /// Decoded pixels of sample k into x[0..Features).
    void load_unchecked(std::size_t k, float* x) const
    {
        const std::uint8_t* bytes = pixels_->bytes.data() + row(k) * pixels_->row_bytes;
        for (std::size_t group = 0; group < Features / 8; ++group, bytes += 5) {
            std::uint64_t bits = 0;
            for (std::size_t b = 0; b < 5; ++b) bits |= static_cast<std::uint64_t>(bytes[b]) << (8 * b);
            for (std::size_t i = 0; i < 8; ++i) x[group * 8 + i] = static_cast<float>((bits >> (5 * i)) & 31u) * scale_;
        }
    }
    /// load_unchecked() into an array of Features values.
    void load(std::size_t k, std::array<float, Features>& x) const { load_unchecked(k, x.data()); }
    /// One-hot target of sample k into d[0..Classes).
    void target_unchecked(std::size_t k, float* d) const
    {
        for (std::size_t c = 0; c < Classes; ++c) d[c] = c == label(k) ? 1.0f : 0.0f;
    }
    /// target_unchecked() into an array of Classes values.
    void target(std::size_t k, std::array<float, Classes>& d) const { target_unchecked(k, d.data()); }

private:
    const packed_pixels<Rows, Features>* pixels_;
    const std::uint8_t* labels_;
    float scale_;
    microprop::index_list indices_;
};

}  // namespace example

#endif
