// infer_only: runs the digits 64-32-10 network trained elsewhere (examples/infer_only/
// make_blob.cpp on the host) without any training code. The weight blob is checked and
// decoded at compile time (CRC, topology, finite values), so the parameters sit in flash as
// floats; the int8 model is quantized from them, also at compile time. RAM holds only the
// activation buffers. Prints the RAM and flash of each model and its test accuracy, then
// `result: float_acc=... int8_acc=... drop=...`.
#include "model.hpp"

#include "../data/digits_data.hpp"
#include "console.hpp"
#include "digits_blob.hpp"
#include "port.h"

namespace mp = microprop;
namespace data = microprop_data::digits;
using example_model::float_model;
using example_model::int8_model;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

namespace {

constexpr float pixel_scale = 1.0f / data::max_pixel;  // pixels 0..16 -> 0..1, as in training
constexpr float pixel_offset = 0.0f;

static_assert(mp::check_parameter_blob<float_model>(example_blob::digits_blob) == mp::status::ok,
              "the committed blob is not a valid 64-32-10 relu/softmax float blob");
constexpr float_model::parameters_type float_parameters = mp::blob_parameters<float_model>(example_blob::digits_blob);
static_assert(float_model::check(float_parameters) == mp::status::ok, "");
constexpr int8_model::parameters_type int8_parameters = int8_model::quantize(float_parameters);

float_model float_net(float_parameters);
int8_model int8_net(int8_parameters);

}  // namespace

int main()
{
    microprop_port_init();
    const auto test = mp::classification_view<float, data::class_count>(data::pixels, data::labels)
                          .with_coding(pixel_scale, pixel_offset)
                          .subset(data::test_index);
    using footprint = mp::inference_footprint<example_model::trained>;
    using footprint8 = mp::inference_footprint<example_model::trained, std::int8_t>;
    console::print("infer_only: digits 64-32-10 trained elsewhere, blob of ", example_blob::digits_blob.size(),
                   " B checked at compile time; ", static_cast<unsigned>(data::test_count), " test images\n");
    console::print("float: RAM ", footprint::ram_bytes, " B, parameters in flash ", footprint::flash_bytes, " B\n");
    console::print("int8:  RAM ", footprint8::ram_bytes, " B, parameters in flash ", footprint8::flash_bytes, " B\n");
    console::print("(training it here would need ", example_model::trained::bytes, " + ",
                   sizeof(example_model::trainer), " B of RAM)\n");
    const double float_accuracy = mp::accuracy(float_net, test);
    const double int8_accuracy = mp::accuracy(int8_net, test);
    console::print("result: float_acc=", console::fixed{float_accuracy, 4}, " int8_acc=", console::fixed{int8_accuracy, 4},
                   " drop=", console::fixed{float_accuracy - int8_accuracy, 4}, " ram=", footprint::ram_bytes,
                   " flash=", footprint::flash_bytes, " ram8=", footprint8::ram_bytes, " flash8=", footprint8::flash_bytes,
                   "\n");
    microprop_port_exit(0);
}
