// Saving and loading a network's parameters, and optionally its trainer's
// optimizer state, as one checked byte blob (format version 2).
//
// Blob layout, version 2. Every field is little-endian (the only byte order
// microprop supports); offsets are in bytes.
//
//   offset  size  field
//   0       4     magic "MPW2" (the last character is the format version)
//   4       4     u32 total length of the blob, this header and the CRC included
//   8       4     u32 topology hash (topology_hash<Network>(), below)
//   12      4     u32 generation, set by the caller on save and returned on load
//   16      4     u32 parameter count P
//   20      1     u8  scalar kind: 1 = IEEE binary32 (float), 2 = binary64 (double),
//                     3 = q3_12 fixed point (fixed_scalar.hpp: i16 two's complement, value raw / 4096)
//   21      1     u8  scalar size S in bytes (4, 8 or 2)
//   22      1     u8  optimizer kind: 0 = none (weights only), 1 = sgd, 2 = momentum, 3 = adam,
//                     4, 5, 6 = consolidated<sgd>, consolidated<momentum>, consolidated<adam>
//                     (elastic weight consolidation, consolidation.hpp: kind 3 + the inner kind)
//   23      1     u8  reserved, 0
//   24      4     u32 optimizer state count Q (values after the parameters; 0 without optimizer)
//   28      4     u32 optimizer record bytes R (0 without optimizer)
//   32      P*S   the parameters in network order (network::parameters())
//   ..      Q*S   the optimizer state (trainer::optimizer_state(): momentum's velocity;
//                 Adam's first moments, then its second moments; for a consolidated<>
//                 kind the inner optimizer's state, then the importance F (P values),
//                 then the anchor weights theta* (P values))
//   ..      R     the optimizer record: its hyper-parameters and step state, as
//                   sgd      (R = 12): f32 learning_rate, f32 weight_decay, f32 gradient_clip
//                   momentum (R = 20): f32 learning_rate, f32 momentum, f32 weight_decay,
//                                      f32 gradient_clip, u32 nesterov (0 or 1)
//                   adam     (R = 40): f32 learning_rate, f32 beta1, f32 beta2, f32 epsilon,
//                                      f32 weight_decay, f32 gradient_clip,
//                                      f64 beta1_power, f64 beta2_power
//                   consolidated<inner> (R = the inner record's R + 4): the inner record,
//                                      then f32 strength (lambda, in [0, 1e6])
//                 For scalar kind 3 (q3_12) the record is followed by 16 more bytes, counted
//                 in R: u32[4], the state of the trainer's stochastic-rounding generator
//                 (random_generator, xoshiro128**), so that a resumed fixed-point run draws
//                 the same rounding bits as an uninterrupted one; all four zero is refused
//                 as blob_corrupt (that generator state never leaves zero).
//                 A record with a NaN or infinite value is refused as blob_non_finite;
//                 one with a negative gradient_clip, a nesterov flag above 1 or a
//                 consolidation strength outside [0, 1e6], as
//                 blob_corrupt (no valid optimizer holds such a setting).
//   last    4     u32 CRC-32 (IEEE 802.3, as zlib's crc32) of every byte before it
//
// The topology hash is 32-bit FNV-1a over the little-endian bytes of these u32
// words, in order: 2 (the format version), scalar kind, S, layer count, then per
// stage of network::layers: inputs, outputs, activation kind (identity 0,
// sigmoid 1, tanh 2, relu 3, leaky_relu 4, softmax 5), the binary32 bits of the
// activation parameter (the leaky-ReLU slope; 0 otherwise), the index of the
// layer whose weights it uses (its own unless tied), and 1 if the weights are
// read transposed (tied) else 0.
//
// A load checks the whole blob before writing anything, so a short, long,
// corrupt, mismatched or non-finite blob leaves the network and the trainer
// exactly as they were. Version-1 blobs ("MPW1") are refused with
// blob_version_unsupported: they were only ever written to RAM buffers, and
// their hash cannot tell apart leaky-ReLU slopes closer than 1e-6 (the host
// script examples/tools/microprop_blob.py converts one to version 2).
#ifndef MICROPROP_SERIALIZE_HPP
#define MICROPROP_SERIALIZE_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "optimizers.hpp"
#include "scalar.hpp"
#include "span.hpp"
#include "status.hpp"
#include "topology.hpp"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "microprop weight blobs assume a little-endian target."
#endif

namespace microprop {

/// The blob's code for a scalar type. Specialise it (with a new, unused code) to
/// save networks of another scalar type, e.g. a fixed-point one.
template <class T>
struct blob_scalar_kind;
struct q3_12;
/// float is saved as IEEE binary32.
template <>
struct blob_scalar_kind<float> {
    static constexpr std::uint8_t value = 1;  ///< IEEE binary32
};
/// double is saved as IEEE binary64.
template <>
struct blob_scalar_kind<double> {
    static constexpr std::uint8_t value = 2;  ///< IEEE binary64
};
/// q3_12 (fixed_scalar.hpp) is saved as its raw 16-bit integers.
template <>
struct blob_scalar_kind<q3_12> {
    static constexpr std::uint8_t value = 3;  ///< Q3.12 fixed point, i16 raw values
};

/// How one optimizer type is written into a training blob (the optimizer record of the
/// layout above). Specialised for sgd, momentum and adam; other optimizers cannot be saved.
template <class Optimizer>
struct blob_optimizer_record;

namespace detail {

constexpr std::uint32_t fnv1a(std::uint32_t hash, std::uint32_t value)
{
    for (int byte = 0; byte < 4; ++byte) {
        hash ^= (value >> (8 * byte)) & 0xffu;
        hash *= 16777619u;
    }
    return hash;
}

/// The binary32 bits of a float, at compile time (C++17 has no std::bit_cast).
constexpr std::uint32_t float_bits(float value) { return __builtin_bit_cast(std::uint32_t, value); }

/// CRC-32 (IEEE 802.3, reflected, as zlib's crc32()) of `n` bytes. Pass the
/// CRC of the bytes before them as `previous` to continue over a stream read in
/// pieces: crc32(b, nb, crc32(a, na)) equals the CRC of a followed by b.
inline std::uint32_t crc32(const std::uint8_t* data, std::size_t n, std::uint32_t previous = 0)
{
    std::uint32_t crc = ~previous;
    for (std::size_t k = 0; k < n; ++k) {
        crc ^= data[k];
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

inline void put_u32(std::uint8_t* out, std::uint32_t v) { std::memcpy(out, &v, 4); }
inline std::uint32_t get_u32(const std::uint8_t* in)
{
    std::uint32_t v = 0;
    std::memcpy(&v, in, 4);
    return v;
}
inline void put_f32(std::uint8_t* out, float v) { std::memcpy(out, &v, 4); }
inline float get_f32(const std::uint8_t* in)
{
    float v = 0;
    std::memcpy(&v, in, 4);
    return v;
}
inline void put_f64(std::uint8_t* out, double v) { std::memcpy(out, &v, 8); }
inline double get_f64(const std::uint8_t* in)
{
    double v = 0;
    std::memcpy(&v, in, 8);
    return v;
}

/// True when each of the n values of type T stored (maybe unaligned) at `bytes` is finite.
template <class T>
bool stored_values_finite(const std::uint8_t* bytes, std::size_t n)
{
    for (std::size_t k = 0; k < n; ++k) {
        T value;
        std::memcpy(&value, bytes + k * sizeof(T), sizeof(T));
        if (!scalar_ops<T>::is_finite(value)) return false;
    }
    return true;
}

/// True when none of the n values is NaN or infinite. Fixed-point values always are
/// finite: they are not looked at (the generic test's |x| would count -8 as a saturation).
template <class T>
bool values_finite(const T* values, std::size_t n)
{
    if constexpr (blob_scalar_kind<T>::value == 3) {
        static_cast<void>(values);
        static_cast<void>(n);
        return true;
    } else {
        return all_finite(values, n);
    }
}

/// The status of an optimizer record whose first `floats` values are binary32 settings
/// and whose binary32 gradient_clip is at `clip`: blob_non_finite when a setting is NaN or
/// infinite, blob_corrupt when the clip is negative (a valid optimizer never has one).
inline status check_record_floats(const std::uint8_t* p, std::size_t floats, std::size_t clip)
{
    if (!stored_values_finite<float>(p, floats)) return status::blob_non_finite;
    if (get_f32(p + clip) < 0.0f) return status::blob_corrupt;
    return status::ok;
}

constexpr std::uint32_t blob_magic_prefix = 0x0057504du;  // "MPW" read as little-endian
constexpr std::uint8_t blob_version = 2;
constexpr std::uint32_t blob_magic = blob_magic_prefix | (std::uint32_t{'0' + blob_version} << 24);
constexpr std::size_t blob_header_bytes = 32;
constexpr std::size_t blob_trailer_bytes = 4;
/// Per optimizer kind (0 none, 1 sgd, 2 momentum, 3 adam, then 4-6 the same three with
/// elastic weight consolidation): the record's bytes and the state values per parameter.
/// A frame must match its kind exactly, so a blob has one spelling.
constexpr std::uint8_t blob_optimizer_kinds = 7;
/// A consolidated<> optimizer's kind: its inner optimizer's plus this.
constexpr std::uint8_t blob_consolidated_kind_offset = 3;
constexpr std::uint32_t blob_record_bytes[blob_optimizer_kinds] = {0, 12, 20, 40, 12 + 4, 20 + 4, 40 + 4};
constexpr std::uint32_t blob_state_per_parameter[blob_optimizer_kinds] = {0, 0, 1, 2, 0 + 2, 1 + 2, 2 + 2};
/// The scalar kind whose training blobs also hold the stochastic-rounding generator's state.
constexpr std::uint8_t blob_kind_q3_12 = 3;
/// Bytes of that state (four u32 words), appended to the optimizer record.
constexpr std::uint32_t blob_rounding_state_bytes = 16;
/// The record bytes a blob of this scalar and optimizer kind must declare.
constexpr std::uint32_t blob_expected_record_bytes(std::uint8_t scalar_kind, std::uint8_t optimizer_kind)
{
    return optimizer_kind == 0 ? 0
                               : blob_record_bytes[optimizer_kind] +
                                     (scalar_kind == blob_kind_q3_12 ? blob_rounding_state_bytes : 0);
}

}  // namespace detail

/// A hash of the network's shape: the scalar type (its blob code and size), and
/// for every layer its widths, activation, the exact bits of the activation's
/// parameter and which layer's weights it uses (tied or not). Equal hashes mean a
/// blob fits. The words hashed are listed at the top of this file.
template <class Network>
constexpr std::uint32_t topology_hash()
{
    using T = typename Network::scalar;
    std::uint32_t h = 2166136261u;
    h = detail::fnv1a(h, detail::blob_version);
    h = detail::fnv1a(h, blob_scalar_kind<T>::value);
    h = detail::fnv1a(h, static_cast<std::uint32_t>(sizeof(T)));
    h = detail::fnv1a(h, static_cast<std::uint32_t>(Network::layer_count));
    for (const layer_info& layer : Network::layers) {
        h = detail::fnv1a(h, static_cast<std::uint32_t>(layer.inputs));
        h = detail::fnv1a(h, static_cast<std::uint32_t>(layer.outputs));
        h = detail::fnv1a(h, static_cast<std::uint32_t>(layer.activation));
        h = detail::fnv1a(h, detail::float_bits(layer.activation_parameter));
        h = detail::fnv1a(h, static_cast<std::uint32_t>(layer.weight_source));
        h = detail::fnv1a(h, layer.transposed ? 1u : 0u);
    }
    return h;
}

namespace detail {

/// Header fields at their offsets (the table at the top of this file).
struct blob_offset {
    static constexpr std::size_t magic = 0, length = 4, topology = 8, generation = 12, parameter_count = 16,
                                 scalar_kind = 20, scalar_bytes = 21, optimizer_kind = 22, reserved = 23,
                                 state_count = 24, record_bytes = 28;
};

/// What a blob's header says, once its magic, length and CRC have been checked.
struct blob_header {
    std::uint32_t topology;
    std::uint32_t generation;
    std::uint32_t parameter_count;
    std::uint8_t scalar_kind;
    std::uint8_t scalar_bytes;
    std::uint8_t optimizer_kind;
    std::uint32_t state_count;
    std::uint32_t record_bytes;
};

/// The checks every blob passes before anything else is read: blob_too_small,
/// blob_corrupt (magic, CRC, reserved byte, unknown optimizer kind, or section sizes that
/// do not fit the kind or do not add up to the length),
/// blob_version_unsupported ("MPW" and another version digit), blob_length_mismatch
/// (longer than its header says).
inline status check_blob_frame(span<const std::uint8_t> blob, blob_header& header)
{
    const std::uint8_t* p = blob.data();
    if (blob.size() < 4) return status::blob_too_small;
    const std::uint32_t magic = get_u32(p + blob_offset::magic);
    if ((magic & 0x00ffffffu) == blob_magic_prefix && magic != blob_magic) return status::blob_version_unsupported;
    if (magic != blob_magic) return status::blob_corrupt;
    if (blob.size() < blob_header_bytes + blob_trailer_bytes) return status::blob_too_small;
    const std::uint32_t length = get_u32(p + blob_offset::length);
    if (length > blob.size()) return status::blob_too_small;
    if (length < blob.size()) return status::blob_length_mismatch;
    const std::size_t body = length - blob_trailer_bytes;
    if (get_u32(p + body) != crc32(p, body)) return status::blob_corrupt;

    header.topology = get_u32(p + blob_offset::topology);
    header.generation = get_u32(p + blob_offset::generation);
    header.parameter_count = get_u32(p + blob_offset::parameter_count);
    header.scalar_kind = p[blob_offset::scalar_kind];
    header.scalar_bytes = p[blob_offset::scalar_bytes];
    header.optimizer_kind = p[blob_offset::optimizer_kind];
    header.state_count = get_u32(p + blob_offset::state_count);
    header.record_bytes = get_u32(p + blob_offset::record_bytes);
    if (p[blob_offset::reserved] != 0) return status::blob_corrupt;
    // The sections must fill the blob exactly (in 64 bits: the counts are untrusted).
    const std::uint64_t sections = std::uint64_t{header.parameter_count} * header.scalar_bytes +
                                   std::uint64_t{header.state_count} * header.scalar_bytes + header.record_bytes;
    if (blob_header_bytes + sections + blob_trailer_bytes != length) return status::blob_corrupt;
    if (header.optimizer_kind >= blob_optimizer_kinds ||
        header.record_bytes != blob_expected_record_bytes(header.scalar_kind, header.optimizer_kind) ||
        std::uint64_t{header.state_count} !=
            std::uint64_t{header.parameter_count} * blob_state_per_parameter[header.optimizer_kind]) {
        return status::blob_corrupt;
    }
    return status::ok;
}

/// Writes the header and the parameters of a blob of `length` bytes; the caller adds
/// its optimizer section (if any) and then seal_blob().
template <class Network>
void write_blob_start(const Network& net, std::uint8_t* p, std::size_t length, std::uint32_t generation,
                      std::uint8_t optimizer_kind, std::size_t state_count, std::size_t record_bytes)
{
    using T = typename Network::scalar;
    put_u32(p + blob_offset::magic, blob_magic);
    put_u32(p + blob_offset::length, static_cast<std::uint32_t>(length));
    put_u32(p + blob_offset::topology, topology_hash<Network>());
    put_u32(p + blob_offset::generation, generation);
    put_u32(p + blob_offset::parameter_count, static_cast<std::uint32_t>(Network::parameter_count));
    p[blob_offset::scalar_kind] = blob_scalar_kind<T>::value;
    p[blob_offset::scalar_bytes] = static_cast<std::uint8_t>(sizeof(T));
    p[blob_offset::optimizer_kind] = optimizer_kind;
    p[blob_offset::reserved] = 0;
    put_u32(p + blob_offset::state_count, static_cast<std::uint32_t>(state_count));
    put_u32(p + blob_offset::record_bytes, static_cast<std::uint32_t>(record_bytes));
    std::memcpy(p + blob_header_bytes, net.parameters().data(), Network::parameter_bytes);
}

/// Writes the CRC over the first length - 4 bytes into the last 4.
inline void seal_blob(std::uint8_t* p, std::size_t length)
{
    const std::size_t body = length - blob_trailer_bytes;
    put_u32(p + body, crc32(p, body));
}

/// blob_topology_mismatch unless the header was written for this network type.
template <class Network>
status check_blob_network(const blob_header& header)
{
    using T = typename Network::scalar;
    if (header.topology != topology_hash<Network>() || header.parameter_count != Network::parameter_count ||
        header.scalar_kind != blob_scalar_kind<T>::value || header.scalar_bytes != sizeof(T)) {
        return status::blob_topology_mismatch;
    }
    return status::ok;
}

}  // namespace detail

/// sgd's record: learning rate, weight decay and gradient clip (it has no state).
template <>
struct blob_optimizer_record<sgd> {
    static constexpr std::uint8_t kind = 1;   ///< the blob's optimizer kind
    static constexpr std::size_t bytes = 12;  ///< R in the layout
    /// Writes the record (bytes bytes) at p.
    static void write(const sgd& o, std::uint8_t* p)
    {
        detail::put_f32(p, o.learning_rate);
        detail::put_f32(p + 4, o.weight_decay);
        detail::put_f32(p + 8, o.gradient_clip);
    }
    /// ok, blob_non_finite (a NaN or infinite value) or blob_corrupt (a negative clip) for
    /// the record at p.
    static status check(const std::uint8_t* p) { return detail::check_record_floats(p, 3, 8); }
    /// Sets the optimizer from a record that passed check().
    static void read(sgd& o, const std::uint8_t* p)
    {
        o.learning_rate = detail::get_f32(p);
        o.weight_decay = detail::get_f32(p + 4);
        o.gradient_clip = detail::get_f32(p + 8);
    }
    static_assert(bytes == detail::blob_record_bytes[kind] &&
                      sgd::state_per_parameter == detail::blob_state_per_parameter[kind],
                  "The sgd record must match the optimizer-kind table.");
};

/// momentum's record: learning rate, momentum, weight decay, gradient clip and the Nesterov flag.
template <>
struct blob_optimizer_record<momentum> {
    static constexpr std::uint8_t kind = 2;   ///< the blob's optimizer kind
    static constexpr std::size_t bytes = 20;  ///< R in the layout
    /// Writes the record (bytes bytes) at p.
    static void write(const momentum& o, std::uint8_t* p)
    {
        detail::put_f32(p, o.learning_rate);
        detail::put_f32(p + 4, o.momentum);
        detail::put_f32(p + 8, o.weight_decay);
        detail::put_f32(p + 12, o.gradient_clip);
        detail::put_u32(p + 16, o.nesterov ? 1u : 0u);
    }
    /// ok, blob_non_finite (a NaN or infinite value) or blob_corrupt (a negative clip, or a
    /// Nesterov flag other than 0 and 1) for the record at p.
    static status check(const std::uint8_t* p)
    {
        const status s = detail::check_record_floats(p, 4, 12);
        if (s != status::ok) return s;
        return detail::get_u32(p + 16) <= 1u ? status::ok : status::blob_corrupt;
    }
    /// Sets the optimizer from a record that passed check().
    static void read(momentum& o, const std::uint8_t* p)
    {
        o.learning_rate = detail::get_f32(p);
        o.momentum = detail::get_f32(p + 4);
        o.weight_decay = detail::get_f32(p + 8);
        o.gradient_clip = detail::get_f32(p + 12);
        o.nesterov = detail::get_u32(p + 16) != 0;
    }
    static_assert(bytes == detail::blob_record_bytes[kind] &&
                      momentum::state_per_parameter == detail::blob_state_per_parameter[kind],
                  "The momentum record must match the optimizer-kind table.");
};

/// adam's record: its six settings and beta1^t, beta2^t.
template <>
struct blob_optimizer_record<adam> {
    static constexpr std::uint8_t kind = 3;   ///< the blob's optimizer kind
    static constexpr std::size_t bytes = 40;  ///< R in the layout
    /// beta1^t and beta2^t are saved with all their bits: they are the step count as
    /// the update reads it, so the next step's bias correction is exactly the one an
    /// uninterrupted run would use.
    /// Writes the record (bytes bytes) at p.
    static void write(const adam& o, std::uint8_t* p)
    {
        detail::put_f32(p, o.learning_rate);
        detail::put_f32(p + 4, o.beta1);
        detail::put_f32(p + 8, o.beta2);
        detail::put_f32(p + 12, o.epsilon);
        detail::put_f32(p + 16, o.weight_decay);
        detail::put_f32(p + 20, o.gradient_clip);
        detail::put_f64(p + 24, o.beta1_power);
        detail::put_f64(p + 32, o.beta2_power);
    }
    /// ok, blob_non_finite (a NaN or infinite value) or blob_corrupt (a negative clip) for
    /// the record at p.
    static status check(const std::uint8_t* p)
    {
        if (!detail::stored_values_finite<double>(p + 24, 2)) return status::blob_non_finite;
        return detail::check_record_floats(p, 6, 20);
    }
    /// Sets the optimizer from a record that passed check().
    static void read(adam& o, const std::uint8_t* p)
    {
        o.learning_rate = detail::get_f32(p);
        o.beta1 = detail::get_f32(p + 4);
        o.beta2 = detail::get_f32(p + 8);
        o.epsilon = detail::get_f32(p + 12);
        o.weight_decay = detail::get_f32(p + 16);
        o.gradient_clip = detail::get_f32(p + 20);
        o.beta1_power = detail::get_f64(p + 24);
        o.beta2_power = detail::get_f64(p + 32);
    }
    static_assert(bytes == detail::blob_record_bytes[kind] &&
                      adam::state_per_parameter == detail::blob_state_per_parameter[kind],
                  "The adam record must match the optimizer-kind table.");
};

/// Bytes of a weights-only blob for this network type (save_parameters).
template <class Network>
constexpr std::size_t blob_bytes =
    detail::blob_header_bytes + Network::parameter_bytes + detail::blob_trailer_bytes;

namespace detail {
/// Bytes of the stochastic-rounding state a training blob of this trainer holds after its
/// optimizer record: 16 for q3_12 trainers (whose rounding_state() it is), else 0.
template <class Trainer>
constexpr std::size_t trainer_rounding_bytes =
    blob_scalar_kind<typename Trainer::network_type::scalar>::value == blob_kind_q3_12 ? blob_rounding_state_bytes
                                                                                       : 0;
/// R of the layout for this trainer: its optimizer record and, for q3_12, the rounding state.
template <class Trainer>
constexpr std::size_t trainer_record_bytes =
    blob_optimizer_record<typename Trainer::optimizer_type>::bytes + trainer_rounding_bytes<Trainer>;
}  // namespace detail

namespace detail {
/// False for a q3_12 trainer with Adam, whose 32-bit moments the blob's 16-bit state values cannot hold.
template <class Trainer>
constexpr bool trainer_state_fits_blob =
    !(trainer_rounding_bytes<Trainer> != 0 && std::is_same<typename Trainer::optimizer_type, adam>::value);
}  // namespace detail

/// Bytes of a blob holding a trainer's network and optimizer state (save_training_state).
template <class Trainer>
constexpr std::size_t training_blob_bytes = blob_bytes<typename Trainer::network_type> +
                                            Trainer::optimizer_state_bytes + detail::trainer_record_bytes<Trainer>;

/// Writes a weights-only blob of exactly blob_bytes<Network> bytes to the start of
/// `out`, with `generation` in its header.
///
/// Returns blob_too_small when `out` is shorter than blob_bytes<Network>, and
/// blob_non_finite when a parameter is NaN or infinite; in both cases nothing is
/// written.
template <class Network>
[[nodiscard]] status save_parameters(const Network& net, span<std::uint8_t> out, std::uint32_t generation = 0)
{
    constexpr std::size_t length = blob_bytes<Network>;
    if (out.size() < length) return status::blob_too_small;
    if (!detail::values_finite(net.parameters().data(), Network::parameter_count)) return status::blob_non_finite;
    detail::write_blob_start(net, out.data(), length, generation, 0, 0, 0);
    detail::seal_blob(out.data(), length);
    return status::ok;
}

/// Writes the trainer's network, its optimizer state and its optimizer's settings
/// (for Adam also beta1^t and beta2^t, its step count) as one blob of exactly
/// training_blob_bytes<Trainer> bytes to the start of `out`. Restored with
/// load_training_state, training continues bit for bit as if it had not stopped
/// (for a q3_12 trainer the blob also holds its stochastic-rounding generator's state).
///
/// Returns blob_too_small when `out` is shorter than training_blob_bytes<Trainer>,
/// blob_non_finite when a parameter, state value or setting is NaN or infinite,
/// and invalid_hyperparameter when the optimizer's gradient_clip (or a consolidated<>
/// optimizer's strength) is out of range (a blob load would refuse); in each case nothing
/// is written. A consolidated<> trainer's blob (consolidation.hpp) also holds F, theta*
/// and the strength.
template <class Trainer>
[[nodiscard]] status save_training_state(const Trainer& trainer, span<std::uint8_t> out,
                                         std::uint32_t generation = 0)
{
    using Network = typename Trainer::network_type;
    using T = typename Network::scalar;
    using record = blob_optimizer_record<typename Trainer::optimizer_type>;
    static_assert(detail::trainer_state_fits_blob<Trainer>,
                  "A q3_12 trainer with Adam cannot be saved: its 32- and 64-bit moments do not fit the blob's 16-bit state values.");
    constexpr std::size_t length = training_blob_bytes<Trainer>;
    if (out.size() < length) return status::blob_too_small;
    const Network& net = trainer.network();
    const span<const T> state = trainer.optimizer_state();
    std::uint8_t settings[record::bytes];
    record::write(trainer.optimizer(), settings);
    const status settings_status = record::check(settings);
    if (!detail::values_finite(net.parameters().data(), Network::parameter_count) ||
        !detail::values_finite(state.data(), Trainer::optimizer_state_count) || settings_status == status::blob_non_finite) {
        return status::blob_non_finite;
    }
    if (settings_status != status::ok) return status::invalid_hyperparameter;
    std::uint8_t* p = out.data();
    detail::write_blob_start(net, p, length, generation, record::kind, Trainer::optimizer_state_count,
                             detail::trainer_record_bytes<Trainer>);
    p += detail::blob_header_bytes + Network::parameter_bytes;
    std::memcpy(p, state.data(), Trainer::optimizer_state_bytes);
    p += Trainer::optimizer_state_bytes;
    std::memcpy(p, settings, record::bytes);
    if constexpr (detail::trainer_rounding_bytes<Trainer> != 0) {
        const auto rounding = trainer.rounding_state();
        for (std::size_t k = 0; k < 4; ++k) detail::put_u32(p + record::bytes + 4 * k, rounding[k]);
    }
    detail::seal_blob(out.data(), length);
    return status::ok;
}

/// Checks a blob's frame (magic, length, CRC) without looking at its contents'
/// fit to any network, and on success writes its generation to `generation`: what
/// a store needs to pick the newest valid copy.
///
/// Returns ok, blob_too_small (shorter than its header says, or than a header),
/// blob_length_mismatch (longer than its header says), blob_version_unsupported
/// (another format version, e.g. "MPW1") or blob_corrupt.
[[nodiscard]] inline status blob_generation(span<const std::uint8_t> blob, std::uint32_t& generation)
{
    detail::blob_header header{};
    const status s = detail::check_blob_frame(blob, header);
    if (s == status::ok) generation = header.generation;
    return s;
}

/// Checks a blob completely, then replaces the network's parameters with it and,
/// when `generation` is not null, writes the blob's generation there.
///
/// `blob` must be exactly one blob (a weights-only blob, or a training blob whose
/// optimizer section is then skipped). On any failure nothing is written:
/// blob_too_small (shorter than a header or than its header says),
/// blob_length_mismatch (trailing bytes), blob_version_unsupported (a
/// version-1 or future blob), blob_corrupt (magic, CRC, inconsistent header),
/// blob_topology_mismatch (saved from another network type, scalar type
/// included), blob_non_finite (a NaN or infinite parameter).
template <class Network>
[[nodiscard]] status load_parameters(Network& net, span<const std::uint8_t> blob,
                                     std::uint32_t* generation = nullptr)
{
    using T = typename Network::scalar;
    detail::blob_header header{};
    status s = detail::check_blob_frame(blob, header);
    if (s == status::ok) s = detail::check_blob_network<Network>(header);
    if (s != status::ok) return s;
    const std::uint8_t* parameters = blob.data() + detail::blob_header_bytes;
    if (!detail::stored_values_finite<T>(parameters, Network::parameter_count)) return status::blob_non_finite;
    std::memcpy(net.parameters().data(), parameters, Network::parameter_bytes);
    if (generation) *generation = header.generation;
    return status::ok;
}

/// Checks a training blob completely, then restores the trainer's network
/// parameters, its optimizer state and its optimizer's settings from it (the
/// settings the trainer was built with are replaced by the saved ones) and, when
/// `generation` is not null, writes the blob's generation there.
///
/// Same statuses as load_parameters, blob_topology_mismatch also when the blob
/// holds no optimizer section or another optimizer's, blob_non_finite also for a
/// NaN or infinite optimizer setting, and blob_corrupt also for a setting no
/// optimizer can hold (a negative gradient_clip, a Nesterov flag other than 0 or
/// 1, a consolidation strength outside [0, max_consolidation_strength]), or (q3_12
/// trainers) an all-zero rounding state. On any failure neither the
/// network nor the trainer changes.
template <class Trainer>
[[nodiscard]] status load_training_state(Trainer& trainer, span<const std::uint8_t> blob,
                                         std::uint32_t* generation = nullptr)
{
    using Network = typename Trainer::network_type;
    using T = typename Network::scalar;
    using record = blob_optimizer_record<typename Trainer::optimizer_type>;
    static_assert(detail::trainer_state_fits_blob<Trainer>,
                  "A q3_12 trainer with Adam cannot be saved: its 32- and 64-bit moments do not fit the blob's 16-bit state values.");
    detail::blob_header header{};
    status s = detail::check_blob_frame(blob, header);
    if (s == status::ok) s = detail::check_blob_network<Network>(header);
    if (s != status::ok) return s;
    if (header.optimizer_kind != record::kind || header.state_count != Trainer::optimizer_state_count ||
        header.record_bytes != detail::trainer_record_bytes<Trainer>) {
        return status::blob_topology_mismatch;
    }
    const std::uint8_t* parameters = blob.data() + detail::blob_header_bytes;
    const std::uint8_t* state = parameters + Network::parameter_bytes;
    const std::uint8_t* settings = state + Trainer::optimizer_state_bytes;
    if (!detail::stored_values_finite<T>(parameters, Network::parameter_count) ||
        !detail::stored_values_finite<T>(state, Trainer::optimizer_state_count)) {
        return status::blob_non_finite;
    }
    const status settings_status = record::check(settings);
    if (settings_status != status::ok) return settings_status;
    if constexpr (detail::trainer_rounding_bytes<Trainer> != 0) {
        const std::uint8_t* rounding = settings + record::bytes;
        if ((detail::get_u32(rounding) | detail::get_u32(rounding + 4) | detail::get_u32(rounding + 8) |
             detail::get_u32(rounding + 12)) == 0) {
            return status::blob_corrupt;
        }
    }
    std::memcpy(trainer.network().parameters().data(), parameters, Network::parameter_bytes);
    std::memcpy(trainer.optimizer_state().data(), state, Trainer::optimizer_state_bytes);
    record::read(trainer.optimizer(), settings);
    if constexpr (detail::trainer_rounding_bytes<Trainer> != 0) {
        const std::uint8_t* rounding = settings + record::bytes;
        trainer.set_rounding_state({detail::get_u32(rounding), detail::get_u32(rounding + 4),
                                    detail::get_u32(rounding + 8), detail::get_u32(rounding + 12)});
    }
    if (generation) *generation = header.generation;
    return status::ok;
}

}  // namespace microprop

#endif
