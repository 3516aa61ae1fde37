// Writes the seed corpus of fuzz_store_recovery: real flash images made by
// saving through the store on the NOR simulator, some with a power cut in the
// middle of a save. Each file is the layout selector byte and the 512-byte region.
//   clang++ -std=c++17 -Iinclude tests/fuzz/make_store_recovery_corpus.cpp -o make_corpus
//   ./make_corpus tests/fuzz/corpus/fuzz_store_recovery
#include <cstdio>

#include "store_recovery_layouts.hpp"

namespace {

namespace mp = microprop;
using microprop_test::cut_kind;
using namespace store_recovery;

bool write_image(const char* directory, const char* name, std::uint8_t selector, const std::uint8_t* image,
                 std::size_t bytes)
{
    char path[512];
    std::snprintf(path, sizeof path, "%s/%s", directory, name);
    std::FILE* file = std::fopen(path, "wb");
    if (file == nullptr) return false;
    const bool ok = std::fwrite(&selector, 1, 1, file) == 1 && std::fwrite(image, 1, bytes, file) == bytes;
    return std::fclose(file) == 0 && ok;
}

constexpr std::size_t last_operation = ~std::size_t{0};

// Saves record j of a layout (lengths and bytes vary with j).
template <class Layout>
mp::status save_record(typename Layout::store& store, std::size_t j)
{
    std::uint8_t record[Layout::max_record];
    const std::size_t length = Layout::max_record - 17 * j % (Layout::max_record / 2);
    for (std::size_t b = 0; b < length; ++b) record[b] = static_cast<std::uint8_t>(31 * j + b);
    return store.save(mp::span<const std::uint8_t>(record, length));
}

// `saves` complete saves; then, unless cut is none, one more save cut at its
// operation `cut_at` (last_operation: the commit marker, its last one).
template <class Layout>
bool make(const char* directory, const char* name, std::uint8_t selector, std::size_t saves, cut_kind cut,
          std::size_t cut_at)
{
    typename Layout::flash flash;
    flash.fill(0xFF);
    typename Layout::store store(flash);
    for (std::size_t j = 0; j < saves; ++j) {
        if (save_record<Layout>(store, j) != mp::status::ok) return false;
    }
    if (cut != cut_kind::none) {
        if (cut_at == last_operation) {
            typename Layout::flash counting = flash;
            typename Layout::store counting_store(counting);
            counting.disarm();
            if (save_record<Layout>(counting_store, saves) != mp::status::ok) return false;
            cut_at = counting.operations() - 1;
        }
        flash.arm(cut, cut_at, static_cast<std::uint32_t>(saves + 1));
        if (save_record<Layout>(store, saves) == mp::status::ok) return false;
    }
    return write_image(directory, name, selector, flash.raw(), Layout::flash::region_bytes);
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <corpus directory>\n", argv[0]);
        return 2;
    }
    const char* dir = argv[1];
    bool ok = true;
    ok = ok && make<two_slots>(dir, "two_slots_one_save", 0, 1, cut_kind::none, 0);
    ok = ok && make<two_slots>(dir, "two_slots_three_saves", 0, 3, cut_kind::none, 0);
    ok = ok && make<two_slots>(dir, "two_slots_torn_record", 0, 2, cut_kind::torn, 20);
    ok = ok && make<two_slots>(dir, "two_slots_torn_marker", 0, 2, cut_kind::torn, last_operation);
    ok = ok && make<two_slots>(dir, "two_slots_torn_erase", 0, 2, cut_kind::torn, 1);
    ok = ok && make<four_slots>(dir, "four_slots_two_saves", 1, 2, cut_kind::none, 0);
    ok = ok && make<four_slots>(dir, "four_slots_six_saves", 1, 6, cut_kind::none, 0);
    ok = ok && make<four_slots>(dir, "four_slots_torn_record", 1, 5, cut_kind::torn, 10);
    ok = ok && make<four_slots>(dir, "four_slots_clean_cut", 1, 4, cut_kind::clean, 3);
    if (!ok) std::fprintf(stderr, "could not write the corpus into %s\n", dir);
    return ok ? 0 : 1;
}
