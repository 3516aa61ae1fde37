// libFuzzer target: arbitrary bytes into load_parameters, load_training_state and
// blob_generation for float, double and tied networks (sgd, momentum and Adam trainers, and
// Adam with elastic weight consolidation).
// Each input is tried as it is, and again with its length field and CRC made valid so that
// the checks behind the CRC (topology, layout, finiteness) are reached too.
//
// Asserted for every call: either the status is ok, every loaded value is finite, the
// network (and trainer) hold exactly the blob's values, and saving them again writes the
// input's bytes; or the status is not ok and the network, the trainer's optimizer state and
// its settings are bit-identical to before, and the generation output is untouched.
// Built and run by tests/fuzz/run-fuzzers.sh.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "blob_loader_types.hpp"

namespace {

using namespace fuzz_types;

[[noreturn]] void fail(const char* what, const char* type)
{
    std::fprintf(stderr, "fuzz_blob_loader: %s (%s)\n", what, type);
    std::abort();
}

template <class Network>
bool parameters_finite(const Network& net)
{
    for (auto value : net.parameters()) {
        if (!mp::scalar_ops<typename Network::scalar>::is_finite(value)) return false;
    }
    return true;
}

template <class Network>
std::vector<std::uint8_t> bytes_of(const Network& net)
{
    const auto* p = reinterpret_cast<const std::uint8_t*>(net.parameters().data());
    return std::vector<std::uint8_t>(p, p + Network::parameter_bytes);
}

/// Everything load_training_state may change: parameters, optimizer state, optimizer record.
template <class Trainer>
std::vector<std::uint8_t> bytes_of_trainer(Trainer& trainer)
{
    using record = mp::blob_optimizer_record<typename Trainer::optimizer_type>;
    std::vector<std::uint8_t> out = bytes_of(trainer.network());
    const auto* state = reinterpret_cast<const std::uint8_t*>(trainer.optimizer_state().data());
    out.insert(out.end(), state, state + Trainer::optimizer_state_bytes);
    std::uint8_t settings[record::bytes];
    record::write(trainer.optimizer(), settings);
    out.insert(out.end(), settings, settings + record::bytes);
    return out;
}

template <class Network>
struct weights_target {
    const char* name;
    Network net;
    std::vector<std::uint8_t> before;

    explicit weights_target(const char* type_name) : name(type_name), net(5) { before = bytes_of(net); }

    void run(mp::span<const std::uint8_t> blob)
    {
        std::uint32_t generation = 0x5eed5eedu;
        const mp::status s = mp::load_parameters(net, blob, &generation);
        if (s != mp::status::ok) {
            if (bytes_of(net) != before) fail("a refused blob changed the weights", name);
            if (generation != 0x5eed5eedu) fail("a refused blob wrote the generation", name);
            return;
        }
        if (!parameters_finite(net)) fail("an accepted blob loaded a non-finite weight", name);
        if (std::memcmp(net.parameters().data(), blob.data() + 32, Network::parameter_bytes) != 0) {
            fail("the loaded weights are not the blob's", name);
        }
        std::uint32_t peeked = 0;
        if (mp::blob_generation(blob, peeked) != mp::status::ok || peeked != generation) {
            fail("blob_generation disagrees with load_parameters", name);
        }
        if (blob[22] == 0) {  // weights only: saving again must give the same bytes
            std::vector<std::uint8_t> again(mp::blob_bytes<Network>);
            if (mp::save_parameters(net, mp::span<std::uint8_t>(again.data(), again.size()), generation) !=
                    mp::status::ok ||
                again.size() != blob.size() || std::memcmp(again.data(), blob.data(), blob.size()) != 0) {
                fail("an accepted weights blob does not save back to its bytes", name);
            }
        }
        std::memcpy(net.parameters().data(), before.data(), before.size());  // next input starts alike
    }
};

template <class Trainer>
struct training_target {
    using Network = typename Trainer::network_type;
    using Optimizer = typename Trainer::optimizer_type;
    const char* name;
    Network net;
    Trainer trainer;
    Network initial_net;
    Optimizer initial_settings;
    std::vector<typename Trainer::T> initial_state;
    std::vector<std::uint8_t> before;

    training_target(const char* type_name, Optimizer settings) : name(type_name), net(7), trainer(net, settings)
    {
        train_a_little(trainer, 5);
        before = bytes_of_trainer(trainer);
        initial_net = net;
        initial_settings = trainer.optimizer();
        initial_state.assign(trainer.optimizer_state().begin(), trainer.optimizer_state().end());
    }

    void run(mp::span<const std::uint8_t> blob)
    {
        std::uint32_t generation = 0x5eed5eedu;
        const mp::status s = mp::load_training_state(trainer, blob, &generation);
        if (s != mp::status::ok) {
            if (bytes_of_trainer(trainer) != before) fail("a refused blob changed the network or trainer", name);
            if (generation != 0x5eed5eedu) fail("a refused blob wrote the generation", name);
            return;
        }
        if (!parameters_finite(net)) fail("an accepted blob loaded a non-finite weight", name);
        for (auto value : trainer.optimizer_state()) {
            if (!mp::scalar_ops<typename Trainer::T>::is_finite(value)) fail("non-finite optimizer state", name);
        }
        const float clip = trainer.optimizer().gradient_clip;
        if (!(clip >= 0.0f && clip <= __FLT_MAX__)) fail("an accepted blob loaded a negative or non-finite clip", name);
        std::vector<std::uint8_t> again(mp::training_blob_bytes<Trainer>);
        if (mp::save_training_state(trainer, mp::span<std::uint8_t>(again.data(), again.size()), generation) !=
                mp::status::ok ||
            again.size() != blob.size() || std::memcmp(again.data(), blob.data(), blob.size()) != 0) {
            fail("an accepted training blob does not save back to its bytes", name);
        }
        // The next input starts from the same network and trainer.
        net = initial_net;
        trainer.optimizer() = initial_settings;
        std::copy(initial_state.begin(), initial_state.end(), trainer.optimizer_state().begin());
        if (bytes_of_trainer(trainer) != before) fail("the fuzz target did not restore its trainer", name);
    }
};

struct targets {
    weights_target<float_net> float_weights{"float network"};
    weights_target<double_net> double_weights{"double network"};
    weights_target<tied_net> tied_weights{"tied network"};
    training_target<float_sgd> sgd_training{"float sgd trainer", mp::sgd{0.1f}};
    training_target<float_momentum> momentum_training{"float momentum trainer", mp::momentum{0.1f, 0.8f, true}};
    training_target<double_adam> adam_training{"double Adam trainer", mp::adam{0.01f}};
    training_target<tied_adam> tied_training{"tied Adam trainer", mp::adam{0.02f}};
    training_target<float_consolidated_adam> consolidated_training{"float consolidated Adam trainer",
                                                                   consolidated_settings()};

    void run(mp::span<const std::uint8_t> blob)
    {
        std::uint32_t generation = 0;
        (void)mp::blob_generation(blob, generation);
        float_weights.run(blob);
        double_weights.run(blob);
        tied_weights.run(blob);
        sgd_training.run(blob);
        momentum_training.run(blob);
        adam_training.run(blob);
        tied_training.run(blob);
        consolidated_training.run(blob);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static targets all;
    all.run(mp::span<const std::uint8_t>(data, size));
    if (size >= 36) {
        std::vector<std::uint8_t> sealed(data, data + size);
        mp::detail::put_u32(sealed.data() + 4, static_cast<std::uint32_t>(size));
        mp::detail::put_u32(sealed.data() + size - 4, mp::detail::crc32(sealed.data(), size - 4));
        all.run(mp::span<const std::uint8_t>(sealed.data(), sealed.size()));
    }
    return 0;
}
