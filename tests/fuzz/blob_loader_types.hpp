// The networks and trainers whose loaders fuzz_blob_loader.cpp attacks, shared with the
// seed-corpus writer make_corpus_blob_loader.cpp so that its valid seeds fit them.
#ifndef MICROPROP_FUZZ_BLOB_LOADER_TYPES_HPP
#define MICROPROP_FUZZ_BLOB_LOADER_TYPES_HPP

#include <microprop/microprop.hpp>

#include "../blob/train_a_little.hpp"

namespace fuzz_types {

namespace mp = microprop;

using float_net = mp::network<float, mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>, mp::sigmoid>;
using double_net = mp::network<double, mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>, mp::sigmoid>;
using tied_net = mp::network<float, mp::dense<4, 3>, mp::basic_leaky_relu<1, 8>, mp::tied<0>, mp::sigmoid>;

using float_sgd = mp::trainer<float_net, mp::squared_error, mp::sgd>;
using float_momentum = mp::trainer<float_net, mp::squared_error, mp::momentum>;
using double_adam = mp::trainer<double_net, mp::squared_error, mp::adam>;
using tied_adam = mp::trainer<tied_net, mp::squared_error, mp::adam>;
/// Elastic weight consolidation: Adam's moments, then F and theta*; the strength after Adam's record.
using float_consolidated_adam = mp::trainer<float_net, mp::squared_error, mp::consolidated<mp::adam>>;

/// The consolidated trainer's settings: Adam at 0.01, strength 2.5.
inline mp::consolidated<mp::adam> consolidated_settings()
{
    mp::consolidated<mp::adam> settings;
    settings.learning_rate = 0.01f;
    settings.strength = 2.5f;
    return settings;
}

/// A few training steps, so that weights and optimizer state are not the initial draw.
template <class Trainer>
void train_a_little(Trainer& trainer, int steps)
{
    if (blob_test::train_a_little(trainer, steps, 99u) != mp::status::ok) __builtin_trap();
}

}  // namespace fuzz_types

#endif
