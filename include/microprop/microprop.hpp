// microprop: train multilayer perceptrons on the microcontroller.
// One include for the whole library.
#ifndef MICROPROP_MICROPROP_HPP
#define MICROPROP_MICROPROP_HPP

#include "config.hpp"
#include "consolidation.hpp"
#include "data.hpp"
#include "diagnostics.hpp"
#include "divergence_guard.hpp"
#include "engine.hpp"
#include "flash_store.hpp"
#include "frozen.hpp"
#include "evaluation.hpp"
#include "gradient_check.hpp"
#include "graph.hpp"
#include "hessian.hpp"
#include "hessian_vector.hpp"
#include "jacobian.hpp"
#include "layers/activations.hpp"
#include "layers/dense.hpp"
#include "layers/objects.hpp"
#include "layers/tied.hpp"
#include "losses.hpp"
#include "network.hpp"
#include "optimizers.hpp"
#include "random.hpp"
#include "serialize.hpp"
#include "scalar.hpp"
#include "size_check.hpp"
#include "schedules.hpp"
#include "span.hpp"
#include "status.hpp"
#include "topology.hpp"
#include "trainer.hpp"
#include "version.hpp"

#endif
