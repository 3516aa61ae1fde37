// Recoverable failures are reported as a status, never by exceptions.
#ifndef MICROPROP_STATUS_HPP
#define MICROPROP_STATUS_HPP

#include <cstdint>

namespace microprop {

/// Result of an operation that can fail on bad data. Every failing operation
/// leaves the network's parameters exactly as they were before the call.
enum class [[nodiscard]] status : std::uint8_t {
    ok = 0,
    non_finite_input,     ///< an input value is NaN or infinite; nothing was updated
    non_finite_target,    ///< a target value is NaN or infinite; nothing was updated
    non_finite_loss,      ///< the loss came out NaN or infinite; nothing was updated
    non_finite_gradient,  ///< a gradient came out NaN or infinite; nothing was updated
    blob_too_small,       ///< a weight blob is shorter than the network needs
    blob_corrupt,         ///< a weight blob fails its checksum or header check
    blob_topology_mismatch,  ///< a weight blob was saved from another topology
};

/// A short, flash-cheap description of a status, e.g. for a console line.
constexpr const char* to_string(status s)
{
    switch (s) {
        case status::ok: return "ok";
        case status::non_finite_input: return "non-finite input";
        case status::non_finite_target: return "non-finite target";
        case status::non_finite_loss: return "non-finite loss";
        case status::non_finite_gradient: return "non-finite gradient";
        case status::blob_too_small: return "blob too small";
        case status::blob_corrupt: return "blob corrupt";
        case status::blob_topology_mismatch: return "blob topology mismatch";
    }
    return "unknown status";
}

}  // namespace microprop

#endif
