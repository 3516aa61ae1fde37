// Writes the committed seed corpus of fuzz_blob_loader into the directory given as the
// only argument (tests/fuzz/corpus/fuzz_blob_loader). Rerun after a change of the blob format:
//   clang++ -std=c++17 -Iinclude tests/fuzz/make_corpus_blob_loader.cpp -o /tmp/make_corpus
//   /tmp/make_corpus tests/fuzz/corpus/fuzz_blob_loader
// Seeds: a valid weights blob of each network type and a valid training blob of each
// trainer type, and from those a truncated one, one with trailing bytes, one with a NaN
// weight (CRC valid), one of version 3, and the version-1 blob of tests/golden.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "../golden/blob_golden.hpp"
#include "blob_loader_types.hpp"

namespace {

using namespace fuzz_types;

std::string directory;
int written = 0;

void write_seed(const char* name, const std::vector<std::uint8_t>& bytes)
{
    const std::string path = directory + "/" + name;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) {
        std::fprintf(stderr, "cannot write %s\n", path.c_str());
        std::exit(1);
    }
    ++written;
}

void reseal(std::vector<std::uint8_t>& blob)
{
    mp::detail::put_u32(blob.data() + blob.size() - 4, mp::detail::crc32(blob.data(), blob.size() - 4));
}

/// A valid blob and the broken variants made from it.
void write_family(const std::string& stem, std::vector<std::uint8_t> blob)
{
    write_seed((stem + "_valid").c_str(), blob);
    write_seed((stem + "_truncated").c_str(), std::vector<std::uint8_t>(blob.begin(), blob.end() - 7));
    std::vector<std::uint8_t> longer = blob;
    longer.insert(longer.end(), 4, 0);
    write_seed((stem + "_trailing").c_str(), longer);
    std::vector<std::uint8_t> nan = blob;
    const float nan_value = __builtin_nanf("");
    std::memcpy(nan.data() + 36, &nan_value, 4);
    reseal(nan);
    write_seed((stem + "_nan").c_str(), nan);
    std::vector<std::uint8_t> future = blob;
    future[3] = '3';
    reseal(future);
    write_seed((stem + "_version3").c_str(), future);
}

template <class Network>
void weights_family(const char* stem)
{
    Network net(3);
    std::vector<std::uint8_t> blob(mp::blob_bytes<Network>);
    if (mp::save_parameters(net, mp::span<std::uint8_t>(blob.data(), blob.size()), 12u) != mp::status::ok) {
        std::exit(1);
    }
    write_family(stem, blob);
}

template <class Trainer>
void training_family(const char* stem, typename Trainer::optimizer_type settings)
{
    typename Trainer::network_type net(4);
    Trainer trainer(net, settings);
    train_a_little(trainer, 3);
    std::vector<std::uint8_t> blob(mp::training_blob_bytes<Trainer>);
    if (mp::save_training_state(trainer, mp::span<std::uint8_t>(blob.data(), blob.size()), 13u) != mp::status::ok) {
        std::exit(1);
    }
    write_family(stem, blob);
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_corpus_blob_loader <directory>\n");
        return 2;
    }
    directory = argv[1];
    weights_family<float_net>("weights_float");
    weights_family<double_net>("weights_double");
    weights_family<tied_net>("weights_tied");
    training_family<float_sgd>("training_float_sgd", mp::sgd{0.1f});
    // Two seeds with a clip on, so that the record's gradient_clip is not always 0.
    training_family<float_momentum>("training_float_momentum", mp::momentum{0.1f, 0.8f, true, 0.0f, 1.5f});
    training_family<double_adam>("training_double_adam", mp::adam{0.01f, 0.9f, 0.999f, 1e-8f, 0.0f, 2.0f});
    training_family<tied_adam>("training_tied_adam", mp::adam{0.02f});
    training_family<float_consolidated_adam>("training_float_consolidated_adam", consolidated_settings());
    write_seed("version1_float", std::vector<std::uint8_t>(std::begin(blob_golden::version_1_blob),
                                                           std::end(blob_golden::version_1_blob)));
    std::printf("%d seeds written to %s\n", written, directory.c_str());
    return 0;
}
