// Flash, RAM and stack of per-sample training, for template_cost.sh.
//
// FOOTPRINT_TOPOLOGIES = 0, 1, 2 or 4: how many different network types the image trains
// (fused per-sample SGD, 64 samples each). 0 trains nothing but reads the same data set, so
// flash(N) - flash(0) is the library's share, data set and port excluded. Topology 1 is W2, or
// W1 (2-8-1 sigmoid, XOR data) with FOOTPRINT_W1=1 (then only 0 or 1 topologies).
#include <stddef.h>
#include <stdint.h>

#include <console.hpp>
#include <port.h>

#include "workloads.hpp"

#ifndef FOOTPRINT_TOPOLOGIES
#define FOOTPRINT_TOPOLOGIES 1
#endif

namespace {

namespace mp = microprop;
#if defined(FOOTPRINT_W1) && FOOTPRINT_W1
constexpr const auto& data = bench::w1_data;
using t1_net = bench::w1_net;
using t1_loss = bench::w1_loss;
static_assert(FOOTPRINT_TOPOLOGIES <= 1, "The W1 footprint programs train at most one topology.");
#else
constexpr const auto& data = bench::w2_data;
using t1_net = bench::w2_net;
using t1_loss = bench::w2_loss;
#endif

using t2_net = mp::network<float, mp::dense<16, 8>, mp::tanh, mp::dense<8, 4>, mp::sigmoid>;
using t3_net = mp::network<float, mp::dense<10, 20>, mp::sigmoid, mp::dense<20, 5>>;
using t4_net = mp::network<float, mp::dense<8, 12>, mp::relu, mp::dense<12, 12>, mp::leaky_relu,
                           mp::dense<12, 3>, mp::softmax>;

unsigned failures = 0;

template <class Trainer>
void train(Trainer& tr)
{
    for (std::size_t s = 0; s < 64; ++s) {
        // Inputs: the first input_size values of a W2 sample; targets: its first output_size.
        if (tr.train_sample(data.input(s), data.target(s)) != mp::status::ok) ++failures;
    }
}

template <class Net, class Loss>
using sgd_trainer = mp::trainer<Net, Loss, mp::sgd>;
constexpr mp::sgd rule{bench::learning_rate, 0.0f};

// Networks and trainers are static data (the RAM table counts them); the stack holds only frames.
#if FOOTPRINT_TOPOLOGIES >= 1
t1_net net1(1);
sgd_trainer<t1_net, t1_loss> tr1(net1, rule);
#endif
#if FOOTPRINT_TOPOLOGIES >= 2
t2_net net2(2);
sgd_trainer<t2_net, mp::squared_error> tr2(net2, rule);
#endif
#if FOOTPRINT_TOPOLOGIES >= 4
t3_net net3(3);
sgd_trainer<t3_net, mp::squared_error> tr3(net3, rule);
t4_net net4(4);
sgd_trainer<t4_net, mp::cross_entropy> tr4(net4, rule);
#endif

}  // namespace

int main()
{
    microprop_port_init();
#if FOOTPRINT_TOPOLOGIES >= 1
    train(tr1);
#endif
#if FOOTPRINT_TOPOLOGIES >= 2
    train(tr2);
#endif
#if FOOTPRINT_TOPOLOGIES >= 4
    train(tr3);
    train(tr4);
#endif
#if FOOTPRINT_TOPOLOGIES == 0
    // Read the data set like the others do, so that it stays in the image.
    uint32_t bits = 0;
    for (std::size_t k = 0; k < data.x.size(); ++k) bits += data.x[k] > 0.5f ? 1u : 0u;
    for (std::size_t k = 0; k < data.d.size(); ++k) bits += data.d[k] > 0.5f ? 1u : 0u;
    console::print("footprint bits=", bits, "\n");
#endif
    console::print("footprint topologies=", FOOTPRINT_TOPOLOGIES, " failures=", failures, "\n");
    return failures == 0 ? 0 : 1;
}
