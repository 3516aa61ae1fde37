// Every operation's SIMD kernels in dependency order: included by select_simd.hpp (and only
// there) once per instruction set, with MICROPROP_SIMD_NAMESPACE and the instruction-set macros
// set, so it has no include guard. A new operation's simd.hpp is added here.
#ifndef MICROPROP_SIMD_NAMESPACE
#include "../select_simd.hpp"
#else
#include "simd_vector.hpp"
#include "simd_exp.hpp"
#include "../dense_forward/simd.hpp"
#include "../dense_sgd/simd.hpp"
#include "../softmax/simd.hpp"
#include "../activation/simd.hpp"
#include "../rows/simd.hpp"
#include "../dense_batch/simd.hpp"
#include "../optimizer_step/simd.hpp"
#include "../finite_check/simd.hpp"
#undef MICROPROP_SIMD_LANES
#endif
