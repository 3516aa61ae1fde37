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
    invalid_hyperparameter,  ///< an optimizer or trainer setting is out of range; nothing was updated
    non_finite_parameter,    ///< a weight or optimizer state read by the step is NaN or infinite; nothing was updated
    delta_overflow,          ///< a layer's delta overflowed during fused SGD; nothing was updated
    rolled_back,             ///< the divergence guard restored the last good weights and lowered the learning rate
    blob_version_unsupported,  ///< a weight blob of an older or newer format version
    blob_length_mismatch,    ///< a weight blob is longer or shorter than its header says
    blob_non_finite,         ///< a weight blob holds NaN or infinite values (or a save was asked of such weights)
    store_empty,             ///< no slot of a flash store holds a valid copy
    flash_error,             ///< the flash driver reported a failed erase or program
    saturated,               ///< a value fell outside a fixed-point type's range and was clamped to it
    input_out_of_range,      ///< an input's magnitude exceeds the trainer's input_limit(); nothing was updated
    target_out_of_range,     ///< a target's magnitude exceeds the trainer's target_limit(); nothing was updated
    size_mismatch,           ///< a span's length differs from what the call needs; nothing was read or updated
    singular_matrix,         ///< a matrix to factorize or invert is not positive definite (add damping); nothing was updated
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
        case status::invalid_hyperparameter: return "invalid hyper-parameter";
        case status::non_finite_parameter: return "non-finite parameter";
        case status::delta_overflow: return "delta overflow";
        case status::rolled_back: return "rolled back";
        case status::blob_version_unsupported: return "blob version unsupported";
        case status::blob_length_mismatch: return "blob length mismatch";
        case status::blob_non_finite: return "blob non-finite";
        case status::store_empty: return "store empty";
        case status::flash_error: return "flash error";
        case status::saturated: return "saturated";
        case status::input_out_of_range: return "input out of range";
        case status::target_out_of_range: return "target out of range";
        case status::size_mismatch: return "size mismatch";
        case status::singular_matrix: return "singular matrix";
    }
    return "unknown status";
}

}  // namespace microprop

#endif
