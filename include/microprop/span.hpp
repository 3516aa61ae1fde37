// A minimal non-owning view (C++17 has no std::span).
#ifndef MICROPROP_SPAN_HPP
#define MICROPROP_SPAN_HPP

#include <cstddef>
#include <utility>

#include "config.hpp"

namespace microprop {

/// Contiguous view of `size()` values of type T. Views never own memory; they
/// stay valid as long as the network or trainer they came from.
template <class T>
class span {
public:
    constexpr span() = default;
    /// A view of `size` values at `data`.
    constexpr span(T* data, std::size_t size) : data_(data), size_(size) {}
    /// A view of a whole C array.
    template <std::size_t N>
    constexpr span(T (&array)[N]) : data_(array), size_(N) {}
    /// A view of a container with data() and size(), e.g. a `std::array`.
    template <class Container, class = decltype(static_cast<T*>(std::declval<Container&>().data()))>
    constexpr span(Container& c) : data_(c.data()), size_(c.size()) {}

    /// The first value.
    constexpr T* data() const { return data_; }
    /// Number of values.
    constexpr std::size_t size() const { return size_; }
    /// True for a view of no values.
    constexpr bool empty() const { return size_ == 0; }
    /// Iterator to the first value.
    constexpr T* begin() const { return data_; }
    /// Iterator past the last value.
    constexpr T* end() const { return data_ + size_; }
    /// Value i. Precondition: `i < size()` (MICROPROP_CHECK).
    constexpr T& operator[](std::size_t i) const
    {
        MICROPROP_CHECK(i < size_, "span index out of range");
        return data_[i];
    }
    /// The `count` values from `offset`. Precondition: `offset + count <= size()`.
    constexpr span subspan(std::size_t offset, std::size_t count) const
    {
        MICROPROP_CHECK(offset + count <= size_, "subspan out of range");
        return span(data_ + offset, count);
    }
    /// The same values, read-only.
    constexpr operator span<const T>() const { return span<const T>(data_, size_); }

private:
    T* data_ = nullptr;
    std::size_t size_ = 0;
};

/// Row-major view of a `rows x cols` matrix: element (r, c) is data()[r * cols + c].
template <class T>
class matrix_view {
public:
    /// A view of `rows * cols` values at `data`, row by row.
    constexpr matrix_view(T* data, std::size_t rows, std::size_t cols)
        : data_(data), rows_(rows), cols_(cols) {}
    /// The first value (row 0, column 0).
    constexpr T* data() const { return data_; }
    /// Number of rows.
    constexpr std::size_t rows() const { return rows_; }
    /// Number of columns.
    constexpr std::size_t cols() const { return cols_; }
    /// rows() * cols().
    constexpr std::size_t size() const { return rows_ * cols_; }
    /// Element (r, c). Precondition: `r < rows()`, `c < cols()` (MICROPROP_CHECK).
    constexpr T& operator()(std::size_t r, std::size_t c) const
    {
        MICROPROP_CHECK(r < rows_ && c < cols_, "matrix index out of range");
        return data_[r * cols_ + c];
    }
    /// Row r as a span of cols() values.
    constexpr span<T> row(std::size_t r) const { return span<T>(data_ + r * cols_, cols_); }

private:
    T* data_;
    std::size_t rows_;
    std::size_t cols_;
};

/// Rows [first, first + count) of a two-dimensional C array (e.g. a data set's
/// `features[samples][inputs]` in flash) as one span of `count * N` values: a minibatch
/// for the span forms of trainer::train_batch. Precondition: `first + count <= Rows`
/// (MICROPROP_CHECK).
template <class T, std::size_t Rows, std::size_t N>
constexpr span<T> rows(T (&array)[Rows][N], std::size_t first, std::size_t count)
{
    MICROPROP_CHECK(first + count <= Rows, "rows out of range");
    return span<T>(&array[first][0], count * N);
}

}  // namespace microprop

#endif
