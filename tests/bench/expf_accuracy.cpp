// Checks the inline e^x of include/microprop/kernels/common/exp_float.hpp against a double-precision
// e^x (host only): every 16th float of [-120, 100] and every float of the subnormal and
// overflow edges [-104, -86] and [88, 89]; exp_nonpositive likewise on [-120, 0]. Fails above
// 1 ulp or when a result that must round to 0 or +inf does not. (With every float of the
// ranges, stride = 1, the worst errors are 0.837 and 0.829 ulp.)
#include <cmath>
#include <cstdint>
#include <cstring>

#include <console.hpp>
#include <port.h>

#include <microprop/kernels/common/exp_float.hpp>

namespace {

struct result {
    double worst = 0.0;
    float at = 0.0f;
    std::uint64_t wrong_limits = 0;
};

constexpr int stride = 16;

float advance(float x, float to, int steps)
{
    for (int k = 0; k < steps && x < to; ++k) x = std::nextafter(x, to + 1.0f);
    return x;
}

template <class F>
void sweep(result& r, F f, float from, float to, int steps)
{
    for (float x = from; x < to; x = advance(x, to, steps)) {
        const double want = std::exp(static_cast<double>(x));
        const float rounded = static_cast<float>(want);
        const float got = f(x);
        if (rounded == 0.0f || std::isinf(rounded)) {
            if (got != rounded) ++r.wrong_limits;
            continue;
        }
        const double ulp = static_cast<double>(std::nextafter(rounded, 2.0f * rounded)) - static_cast<double>(rounded);
        const double err = std::fabs(static_cast<double>(got) - want) / std::fabs(ulp);
        if (err > r.worst) {
            r.worst = err;
            r.at = x;
        }
    }
}

template <class F>
result check(F f, float from, float to)
{
    result r;
    sweep(r, f, from, to, stride);
    sweep(r, f, -104.0f, -86.0f, 1);
    if (to > 88.0f) sweep(r, f, 88.0f, 89.0f, 1);
    return r;
}

bool report(const char* name, const result& r)
{
    console::print(name, ": worst ", console::fixed{r.worst, 3}, " ulp at x = ", console::sci{r.at, 8},
                   ", wrong 0/inf: ", static_cast<unsigned long>(r.wrong_limits), "\n");
    return r.worst <= 1.0 && r.wrong_limits == 0;
}

}  // namespace

int main()
{
    microprop_port_init();
    bool ok = report("exp_inline [-120, 100]",
                     check([](float x) { return microprop::kernels::exp_inline(x); }, -120.0f, 100.0f));
    ok = report("exp_nonpositive [-120, 0]",
                check([](float x) { return microprop::kernels::exp_nonpositive(x); }, -120.0f, 0.0f)) && ok;
    const float nan = std::nanf("");
    ok = ok && std::isnan(microprop::kernels::exp_inline(nan)) && std::isnan(microprop::kernels::exp_nonpositive(nan));
    ok = ok && std::isinf(microprop::kernels::exp_inline(INFINITY)) && microprop::kernels::exp_inline(-INFINITY) == 0.0f;
    console::print(ok ? "expf_accuracy: ok\n" : "expf_accuracy: FAILED\n");
    return ok ? 0 : 1;
}
