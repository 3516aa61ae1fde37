// u = W x + b for one sample, reference form (a plain layer and a tied one).
// Part of the reference kernels: the specification every faster kernel must match.
// Each is templated on the scalar type only and takes its sizes at run time, so one
// copy serves every topology (flash does not grow per network). Matrices are
// row-major; W is `[out][in]`.
#ifndef MICROPROP_KERNELS_DENSE_FORWARD_REFERENCE_HPP
#define MICROPROP_KERNELS_DENSE_FORWARD_REFERENCE_HPP

#include <cstddef>
#include "../../config.hpp"
#include "../dense_backward/reference.hpp"

namespace microprop::kernels::reference {

/// u = W x + b (DL 4.14a for one sample).
template <class T>
void dense_forward(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                   const T* MICROPROP_RESTRICT x, T* MICROPROP_RESTRICT u, std::size_t in,
                   std::size_t out)
{
    for (std::size_t j = 0; j < out; ++j) {
        const T* row = w + j * in;
        T acc = b[j];
        for (std::size_t i = 0; i < in; ++i) acc += row[i] * x[i];
        u[j] = acc;
    }
}

// ---- Tied layers (layers/tied.hpp): the same products with W read transposed -------------
// A tied layer's W(j, i) (output j, input i) is its source's weight (i, j), at
// w[i * out + j]: row i of the stored matrix holds the weights of input i. The fast front
// has its own kernels for them (as scaled rows of the stored matrix).

/// u = W x + b with W(j, i) = w[i * out + j].
template <class T>
void dense_forward_transposed(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                              const T* MICROPROP_RESTRICT x, T* MICROPROP_RESTRICT u, std::size_t in,
                              std::size_t out)
{
    // The stored matrix (`in` rows of `out`) transposed times x: a plain layer's backward
    // input pass, with that layer's widths.
    dense_backward_input(w, x, u, out, in);
    for (std::size_t j = 0; j < out; ++j) u[j] += b[j];
}

}  // namespace microprop::kernels::reference

#endif
