// Saving and loading a network's parameters as a checked byte blob.
//
// Blob layout (all fields in the target's native byte order, which is
// little-endian on every supported core):
//   [0, 4)    magic "MPW1"
//   [4, 8)    topology hash: layer widths, activations and scalar size
//   [8, 12)   parameter count
//   [12, 16)  size of one scalar in bytes
//   [16, 16 + parameter_bytes)  the parameters in network order
//   last 4    CRC-32 (IEEE) of everything before it
// A blob is checked completely before any parameter is written, so a corrupt
// or mismatched blob leaves the network exactly as it was.
#ifndef MICROPROP_SERIALIZE_HPP
#define MICROPROP_SERIALIZE_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "span.hpp"
#include "status.hpp"
#include "topology.hpp"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "microprop weight blobs assume a little-endian target."
#endif

namespace microprop {

namespace detail {

constexpr std::uint32_t fnv1a(std::uint32_t hash, std::uint32_t value)
{
    for (int byte = 0; byte < 4; ++byte) {
        hash ^= (value >> (8 * byte)) & 0xffu;
        hash *= 16777619u;
    }
    return hash;
}

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

constexpr std::uint32_t blob_magic = 0x3157504du;  // "MPW1" read as little-endian
constexpr std::size_t blob_header_bytes = 16;
constexpr std::size_t blob_trailer_bytes = 4;

}  // namespace detail

/// A hash of the network's shape: every layer's widths and activation (with
/// its parameter), which layers are tied to which, and the scalar size. Equal
/// hashes mean a blob fits. (Untied networks hash as they did before tied layers.)
template <class Network>
constexpr std::uint32_t topology_hash()
{
    std::uint32_t h = 2166136261u;
    h = detail::fnv1a(h, static_cast<std::uint32_t>(sizeof(typename Network::scalar)));
    for (const layer_info& layer : Network::layers) {
        h = detail::fnv1a(h, static_cast<std::uint32_t>(layer.inputs));
        h = detail::fnv1a(h, static_cast<std::uint32_t>(layer.outputs));
        h = detail::fnv1a(h, static_cast<std::uint32_t>(layer.activation));
        h = detail::fnv1a(h, static_cast<std::uint32_t>(layer.activation_parameter * 1e6f + 0.5f));
        if (layer.transposed) h = detail::fnv1a(h, 0x7ed00000u + static_cast<std::uint32_t>(layer.weight_source));
    }
    return h;
}

/// Bytes of a blob for this network type.
template <class Network>
constexpr std::size_t blob_bytes =
    detail::blob_header_bytes + Network::parameter_bytes + detail::blob_trailer_bytes;

/// Writes the parameters into `out` (at least blob_bytes<Network> bytes).
template <class Network>
[[nodiscard]] status save_parameters(const Network& net, span<std::uint8_t> out)
{
    if (out.size() < blob_bytes<Network>) return status::blob_too_small;
    std::uint8_t* p = out.data();
    detail::put_u32(p, detail::blob_magic);
    detail::put_u32(p + 4, topology_hash<Network>());
    detail::put_u32(p + 8, static_cast<std::uint32_t>(Network::parameter_count));
    detail::put_u32(p + 12, static_cast<std::uint32_t>(sizeof(typename Network::scalar)));
    std::memcpy(p + detail::blob_header_bytes, net.parameters().data(), Network::parameter_bytes);
    const std::size_t body = detail::blob_header_bytes + Network::parameter_bytes;
    detail::put_u32(p + body, detail::crc32(p, body));
    return status::ok;
}

/// Checks a blob completely, then replaces the network's parameters with it.
/// On any failure nothing is written: blob_too_small, blob_corrupt (magic or
/// CRC), blob_topology_mismatch (saved from another network type).
template <class Network>
[[nodiscard]] status load_parameters(Network& net, span<const std::uint8_t> blob)
{
    if (blob.size() < blob_bytes<Network>) return status::blob_too_small;
    const std::uint8_t* p = blob.data();
    if (detail::get_u32(p) != detail::blob_magic) return status::blob_corrupt;
    if (detail::get_u32(p + 4) != topology_hash<Network>() ||
        detail::get_u32(p + 8) != Network::parameter_count ||
        detail::get_u32(p + 12) != sizeof(typename Network::scalar)) {
        return status::blob_topology_mismatch;
    }
    const std::size_t body = detail::blob_header_bytes + Network::parameter_bytes;
    if (detail::get_u32(p + body) != detail::crc32(p, body)) return status::blob_corrupt;
    std::memcpy(net.parameters().data(), p + detail::blob_header_bytes, Network::parameter_bytes);
    return status::ok;
}

}  // namespace microprop

#endif
