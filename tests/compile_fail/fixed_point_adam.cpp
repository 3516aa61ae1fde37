// Saving a q3_12 (fixed-point) Adam trainer must not compile: its 32- and 64-bit moments
// do not fit the blob's 16-bit state values.
// expect: A q3_12 trainer with Adam cannot be saved
#include <microprop/fixed_point.hpp>
#include <microprop/microprop.hpp>

#include <cstdint>

namespace mp = microprop;
using net_t = mp::network<mp::q3_12, mp::dense<2, 3>, mp::sigmoid, mp::dense<3, 1>>;
using trainer_t = mp::trainer<net_t, mp::squared_error, mp::adam>;

int main()
{
    net_t net;
    trainer_t trainer(net);
    static std::uint8_t blob[4096];
    return mp::save_training_state(trainer, mp::span<std::uint8_t>(blob)) == mp::status::ok ? 0 : 1;
}
