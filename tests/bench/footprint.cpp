// Flash, RAM and stack of per-sample training, for template_cost.sh.
//
// FOOTPRINT_TOPOLOGIES = 0, 1, 2 or 4: how many different network types the image trains
// (fused per-sample SGD, 64 samples each). 0 trains nothing but reads the same data set, so
// flash(N) - flash(0) is the library's share, data set and port excluded. Topology 1 is W2, or
// W1 (2-8-1 sigmoid, XOR data) with FOOTPRINT_W1=1 (then only 0 or 1 topologies).
//
// FOOTPRINT_FROZEN = 1, 2 or 3 (with FOOTPRINT_TOPOLOGIES = 0): W2 over constexpr parameters
// in flash (include/microprop/frozen.hpp) instead: 1 inference only, float weights; 2 inference
// only, int8 weights with per-row scales; 3 fine-tuning, the 64-32 ReLU layer frozen (float)
// and the 32-10 softmax head trained by fused per-sample SGD. 64 samples each.
#include <stddef.h>
#include <stdint.h>

#include <microprop/frozen.hpp>

#include <console.hpp>
#include <port.h>

#include "workloads.hpp"

#ifndef FOOTPRINT_TOPOLOGIES
#define FOOTPRINT_TOPOLOGIES 1
#endif
#ifndef FOOTPRINT_FROZEN
#define FOOTPRINT_FROZEN 0
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
        if (tr.train_sample_unchecked(data.input(s), data.target(s)) != mp::status::ok) ++failures;
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

#if FOOTPRINT_FROZEN
/// W2-sized parameters, U(-0.25, 0.25) from the workloads' LCG, computed by the compiler.
constexpr std::array<float, bench::w2_net::parameter_count> make_w2_parameters()
{
    std::array<float, bench::w2_net::parameter_count> p{};
    bench::lcg rng{77u};
    for (float& v : p) v = static_cast<float>(static_cast<int>(rng.next(1001)) - 500) * 0.0005f;
    return p;
}
constexpr auto w2_parameters = make_w2_parameters();

/// One W2 input as the array the frozen stacks take.
std::array<float, 64> sample_array(std::size_t s)
{
    std::array<float, 64> x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = data.input(s)[i];
    return x;
}
#endif
#if FOOTPRINT_FROZEN == 1 || FOOTPRINT_FROZEN == 2
using infer_net = mp::inference_only<bench::w2_net, std::conditional_t<FOOTPRINT_FROZEN == 1, float, std::int8_t>>;
#if FOOTPRINT_FROZEN == 1
constexpr const infer_net::parameters_type& infer_parameters = w2_parameters;
#else
constexpr infer_net::parameters_type infer_parameters = infer_net::quantize(w2_parameters);
#endif
infer_net frozen_net(infer_parameters);
#elif FOOTPRINT_FROZEN == 3
using backbone = mp::frozen<float, mp::dense<64, 32>, mp::relu>;
using head = mp::network<float, mp::dense<32, 10>, mp::softmax>;
using tuned = mp::fine_tuned<backbone, head>;
/// The backbone's block of the W2 parameters (layer 0 comes first in network order).
constexpr backbone::parameters_type make_backbone_parameters()
{
    backbone::parameters_type p{};
    for (std::size_t k = 0; k < p.size(); ++k) p[k] = w2_parameters[k];
    return p;
}
constexpr backbone::parameters_type backbone_parameters = make_backbone_parameters();
tuned tuned_net(backbone_parameters, 1);
mp::fine_tune_trainer<tuned, mp::cross_entropy, mp::sgd> tuner(tuned_net, rule);
#endif

}  // namespace

int main()
{
    microprop_port_init();
#if FOOTPRINT_FROZEN == 1 || FOOTPRINT_FROZEN == 2
    std::size_t predicted = 0;  // keeps the forward passes in the image
    for (std::size_t s = 0; s < 64; ++s) predicted += mp::argmax(frozen_net.forward(sample_array(s)));
    console::print("footprint frozen=", FOOTPRINT_FROZEN, " predicted=", predicted, "\n");
#elif FOOTPRINT_FROZEN == 3
    for (std::size_t s = 0; s < 64; ++s) {
        std::array<float, 10> d{};
        for (std::size_t k = 0; k < d.size(); ++k) d[k] = data.target(s)[k];
        if (tuner.train_sample(sample_array(s), d) != mp::status::ok) ++failures;
    }
    console::print("footprint frozen=3\n");
#endif
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
#if FOOTPRINT_TOPOLOGIES == 0 && FOOTPRINT_FROZEN == 0
    // Read the data set like the others do, so that it stays in the image.
    uint32_t bits = 0;
    for (const auto& row : data.x) {
        for (float v : row) bits += v > 0.5f ? 1u : 0u;
    }
    for (const auto& row : data.d) {
        for (float v : row) bits += v > 0.5f ? 1u : 0u;
    }
    console::print("footprint bits=", bits, "\n");
#endif
    console::print("footprint topologies=", FOOTPRINT_TOPOLOGIES, " failures=", failures, "\n");
    return failures == 0 ? 0 : 1;
}
