// No allocation: constructing networks and trainers (sgd, momentum, adam,
// minibatch), training, forward passes and check_gradient call neither
// operator new nor malloc.
//
// Every form of global operator new/delete is replaced by a counting version.
// The malloc family is counted in one of two ways:
//   * plain host build (glibc): malloc, calloc, realloc, free, memalign,
//     aligned_alloc, posix_memalign and valloc are replaced by counting
//     versions that forward to glibc's __libc_* entry points;
//   * AddressSanitizer build (host-asan): ASan owns malloc (replacing it would
//     bypass ASan's allocator and break its bookkeeping), so the count comes
//     from ASan's own __sanitizer_install_malloc_and_free_hooks instead, which
//     sees every malloc/calloc/realloc/free (and every new) it serves.
// Counting is switched on only around the code under test, so the harness's
// and stdio's own buffers do not count. A control test checks that the
// counters do see a malloc and a new.
#include <cstddef>
#include <cstdlib>
#include <new>

#include <microprop/microprop.hpp>

#include "microtest.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define MICROPROP_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MICROPROP_TEST_ASAN 1
#endif
#endif

namespace counter {
bool enabled = false;
std::size_t allocations = 0;
std::size_t frees = 0;
inline void on_allocation()
{
    if (enabled) ++allocations;
}
inline void on_free(const volatile void* p)
{
    if (enabled && p != nullptr) ++frees;
}
void start()
{
    allocations = 0;
    frees = 0;
    enabled = true;
}
void stop() { enabled = false; }
}  // namespace counter

// ---- the malloc family -----------------------------------------------------------------------
#if defined(MICROPROP_TEST_ASAN)
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, std::size_t),
                                                         void (*free_hook)(const volatile void*));
namespace {
void asan_malloc_hook(const volatile void*, std::size_t) { counter::on_allocation(); }
void asan_free_hook(const volatile void* p) { counter::on_free(p); }
const int hooks_installed = __sanitizer_install_malloc_and_free_hooks(asan_malloc_hook, asan_free_hook);
}  // namespace
#define MICROPROP_TEST_COUNTS_MALLOC 1
#elif defined(__GLIBC__)
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);

void* malloc(std::size_t n)
{
    counter::on_allocation();
    return __libc_malloc(n);
}
void* calloc(std::size_t count, std::size_t n)
{
    counter::on_allocation();
    return __libc_calloc(count, n);
}
void* realloc(void* p, std::size_t n)
{
    counter::on_allocation();
    return __libc_realloc(p, n);
}
void* memalign(std::size_t alignment, std::size_t n)
{
    counter::on_allocation();
    return __libc_memalign(alignment, n);
}
void* aligned_alloc(std::size_t alignment, std::size_t n)
{
    counter::on_allocation();
    return __libc_memalign(alignment, n);
}
void* valloc(std::size_t n)
{
    counter::on_allocation();
    return __libc_memalign(4096, n);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t n)
{
    counter::on_allocation();
    void* p = __libc_memalign(alignment, n);
    if (p == nullptr) return 12;  // ENOMEM
    *out = p;
    return 0;
}
void free(void* p)
{
    counter::on_free(p);
    __libc_free(p);
}
}
#define MICROPROP_TEST_COUNTS_MALLOC 1
#endif

// ---- every global operator new and delete ----------------------------------------------------
namespace {
void* counted_new(std::size_t n)
{
    counter::on_allocation();
    void* p = std::malloc(n == 0 ? 1 : n);
    if (p == nullptr) std::abort();
    return p;
}
void* counted_new_aligned(std::size_t n, std::align_val_t alignment)
{
    counter::on_allocation();
    const std::size_t a = static_cast<std::size_t>(alignment);
    const std::size_t size = ((n == 0 ? 1 : n) + a - 1) / a * a;
    void* p = std::aligned_alloc(a, size);
    if (p == nullptr) std::abort();
    return p;
}
void counted_delete(void* p)
{
    counter::on_free(p);
    std::free(p);
}
}  // namespace

void* operator new(std::size_t n) { return counted_new(n); }
void* operator new[](std::size_t n) { return counted_new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_new(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_new(n); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return counted_new_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return counted_new_aligned(n, a); }
void operator delete(void* p) noexcept { counted_delete(p); }
void operator delete[](void* p) noexcept { counted_delete(p); }
void operator delete(void* p, std::size_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_delete(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { counted_delete(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { counted_delete(p); }
void operator delete(void* p, std::align_val_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::align_val_t) noexcept { counted_delete(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { counted_delete(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { counted_delete(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { counted_delete(p); }

namespace mp = microprop;

namespace {

using net_t = mp::network<float, mp::dense<4, 8>, mp::tanh, mp::dense<8, 3>, mp::softmax>;
using net_d = mp::network<double, mp::dense<2, 5>, mp::relu, mp::dense<5, 4>, mp::sigmoid, mp::dense<4, 1>>;

/// Everything the library offers, start to finish; returns how many steps succeeded.
int exercise_library()
{
    int ok = 0;
    const float x[4] = {0.5f, -1.0f, 0.25f, 2.0f};
    const float d[3] = {0.0f, 1.0f, 0.0f};
    float xs[4][4] = {};
    float ds[4][3] = {};
    for (int s = 0; s < 4; ++s) {
        for (int j = 0; j < 4; ++j) xs[s][j] = 0.1f * static_cast<float>(s + j) - 0.3f;
        ds[s][s % 3] = 1.0f;
    }

    net_t net(42);  // construction and seeded initialisation
    mp::trainer<net_t, mp::cross_entropy, mp::sgd> by_sgd(net, mp::sgd{0.1f, 0.001f});
    mp::trainer<net_t, mp::cross_entropy, mp::momentum> by_momentum(net, mp::momentum{0.05f, 0.9f, true});
    mp::trainer<net_t, mp::cross_entropy, mp::adam> by_adam(net, mp::adam{0.01f});
    mp::trainer<net_t, mp::cross_entropy, mp::adam, 4> by_batch(net, mp::adam{0.01f});
    mp::trainer<net_t, mp::cross_entropy, mp::sgd, 4> by_batch_sgd(net, mp::sgd{0.1f});
    for (int step = 0; step < 10; ++step) {
        ok += by_sgd.train_sample(x, d) == mp::status::ok;
        ok += by_momentum.train_sample(x, d) == mp::status::ok;
        ok += by_adam.train_sample(x, d) == mp::status::ok;
        ok += by_batch.train_batch(xs, ds) == mp::status::ok;
        ok += by_batch_sgd.train_batch(xs, ds) == mp::status::ok;
    }
    ok += mp::argmax(net.forward(x)) < 3 ? 1 : 0;
    const net_t copy = net;  // value semantics: copying copies the weights
    ok += copy.parameters()[0] == net.parameters()[0] ? 1 : 0;
    float gradient[net_t::parameter_count];
    ok += by_sgd.compute_gradient(x, d, gradient) == mp::status::ok;
    ok += mp::check_gradient<mp::cross_entropy>(net, x, d).outcome == mp::status::ok;

    net_d other(7, mp::init_scheme::he_uniform);
    mp::trainer<net_d, mp::squared_error, mp::momentum> other_trainer(other);
    const double u[2] = {0.3, -0.7};
    const double v[1] = {0.25};
    ok += other_trainer.train_sample(u, v) == mp::status::ok;
    ok += mp::check_gradient<mp::squared_error>(other, u, v).outcome == mp::status::ok;
    ok += other.forward(u).size() == 1 ? 1 : 0;
    return ok;
}

constexpr int expected_ok = 5 * 10 + 2 + 2 + 3;

}  // namespace

TEST(no_allocation, counters_see_malloc_and_new)
{
    counter::start();
    int* volatile q = new int(3);
    delete q;
    int* volatile r = new int[5];
    delete[] r;
#if defined(MICROPROP_TEST_COUNTS_MALLOC)
    void* volatile p = std::malloc(24);
    std::free(p);
#endif
    counter::stop();
#if defined(MICROPROP_TEST_COUNTS_MALLOC)
    EXPECT_GE(counter::allocations, 3u);
    EXPECT_GE(counter::frees, 3u);
#else
    EXPECT_GE(counter::allocations, 2u);
    EXPECT_GE(counter::frees, 2u);
#endif
}

TEST(no_allocation, construct_train_forward_and_check_gradient)
{
    counter::start();
    const int ok = exercise_library();
    counter::stop();
    EXPECT_EQ(ok, expected_ok);
    EXPECT_EQ(counter::allocations, 0u);
    EXPECT_EQ(counter::frees, 0u);
}
