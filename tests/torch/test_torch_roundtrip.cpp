// PyTorch interop (examples/tools/torch_export.py, torch_import.py), checked without PyTorch at
// build time: tests/torch/torch_roundtrip_model.hpp was written by make_torch_roundtrip.py.
//   * export: the exported network gives PyTorch's outputs, stage by stage, for the golden
//     inputs, and save_parameters writes exactly the blob torch_export.py wrote;
//   * import: after some training on this device, the network prints its blob and its float
//     outputs (as bit patterns) for the golden inputs; check_torch_import.py (ctest
//     torch_import_roundtrip) loads that blob into a torch.nn.Sequential and compares.
#include <microprop/microprop.hpp>

#include <cstdint>
#include <cstring>

#include "microtest.hpp"
#include "port.h"
#include "torch_roundtrip_model.hpp"

namespace mp = microprop;
namespace model = torch_roundtrip;

namespace {

// microprop computes in float32, PyTorch's goldens are float64 from the same float32 parameters:
// the difference is microprop's rounding through six layers (measured: at most 9.2e-8 on the
// host, 8.8e-8 on qemu-m4f, 1.5e-7 on qemu-m0's soft float). |microprop - torch| <= 1e-6 * (1 + |torch|) leaves room for other
// libm's expf/tanhf (a few ulp) and fails for any wrong weight, order or activation.
constexpr double relative_tolerance = 1e-6;

model::network net;
model::network trained;
mp::trainer<model::network, mp::cross_entropy, mp::sgd> trainer(trained, mp::sgd{0.2f});
std::uint8_t blob[mp::blob_bytes<model::network>];

std::array<float, model::network::input_size> golden_input(std::size_t sample)
{
    std::array<float, model::network::input_size> x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = model::inputs[sample * x.size() + i];
    return x;
}

void print_hex(const std::uint8_t* bytes, std::size_t n)
{
    const char digits[] = "0123456789abcdef";
    for (std::size_t k = 0; k < n; ++k) {
        const char pair[2] = {digits[bytes[k] >> 4], digits[bytes[k] & 15u]};
        microprop_port_write(pair, 2);
    }
}

}  // namespace

TEST(torch_export, every_stage_matches_pytorch)
{
    model::load(net);
    double worst = 0.0;
    for (std::size_t sample = 0; sample < model::sample_count; ++sample) {
        (void)net.forward(golden_input(sample));
        for (std::size_t l = 0; l < model::network::layer_count; ++l) {
            const auto out = net.layer_output(l);
            for (std::size_t k = 0; k < out.size(); ++k) {
                const double golden = model::stage_outputs[l][sample * out.size() + k];
                const double bound = relative_tolerance * (1.0 + (golden < 0 ? -golden : golden));
                EXPECT_NEAR(static_cast<double>(out[k]), golden, bound);
                const double error = static_cast<double>(out[k]) - golden;
                const double scaled = (error < 0 ? -error : error) / (1.0 + (golden < 0 ? -golden : golden));
                worst = scaled > worst ? scaled : worst;
            }
        }
    }
    console::print("largest |microprop - torch| / (1 + |torch|) over every stage: ", console::sci{worst, 2}, "\n");
}

TEST(torch_export, exported_blob_is_what_save_parameters_writes)
{
    model::load(net);
    static_assert(sizeof(model::exported_blob) == mp::blob_bytes<model::network>,
                  "The exported blob's length differs from blob_bytes of the network type.");
    ASSERT_EQ(mp::save_parameters(net, mp::span<std::uint8_t>(blob), 16u), mp::status::ok);
    EXPECT_EQ(std::memcmp(blob, model::exported_blob, sizeof(blob)), 0);
    // ... and microprop loads it into a zeroed network, bit for bit.
    model::network loaded;
    std::uint32_t generation = 0;
    ASSERT_EQ(mp::load_parameters(loaded, mp::span<const std::uint8_t>(model::exported_blob), &generation),
              mp::status::ok);
    EXPECT_EQ(generation, 16u);
    EXPECT_EQ(std::memcmp(loaded.parameters().data(), net.parameters().data(), model::network::parameter_bytes), 0);
}

TEST(torch_import, trained_blob_and_outputs_for_the_host_script)
{
    model::load(trained);
    // A few hundred SGD steps (each golden input to class sample % 4) move every parameter
    // away from the export, so the import check reads weights this device wrote.
    for (int step = 0; step < 200; ++step) {
        const std::size_t sample = static_cast<std::size_t>(step) % model::sample_count;
        std::array<float, model::network::output_size> target{};
        target[sample % target.size()] = 1.0f;
        ASSERT_EQ(trainer.train_sample(golden_input(sample), target), mp::status::ok);
    }
    ASSERT_EQ(mp::save_parameters(trained, mp::span<std::uint8_t>(blob), 17u), mp::status::ok);
    console::print("torch-import layers=", model::layers, " blob=");
    print_hex(blob, sizeof(blob));
    console::print("\n");
    for (std::size_t sample = 0; sample < model::sample_count; ++sample) {
        const auto out = trained.forward(golden_input(sample));
        console::print("torch-import output=");
        for (std::size_t k = 0; k < out.size(); ++k) {
            std::uint8_t bits[4];
            std::memcpy(bits, &out[k], 4);
            const std::uint8_t big_endian[4] = {bits[3], bits[2], bits[1], bits[0]};
            print_hex(big_endian, 4);
            console::print(k + 1 < out.size() ? "," : "\n");
        }
    }
}
