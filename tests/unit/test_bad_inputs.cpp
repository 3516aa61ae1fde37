// The bad-input matrix (issue 12, point 6): every kind of bad value a deployed device can
// meet, through every trainer path, in float and double. Each case asserts one of two
// outcomes:
//   - the step is rejected (a status other than ok) and the weights, the optimizer state
//     and the Adam step counters are bit-identical to what they were before the call, or
//   - the step is accepted and every weight and optimizer state value is finite;
// and afterwards training on normal data still lowers the loss. Where the answer is not a
// matter of taste (NaN input, bad setting) the status itself is checked too.
//
// Paths: fused per-sample SGD, momentum, Nesterov, Adam (per sample), minibatch SGD and
// Adam, a tied layer at layer 0 (fused SGD) and past layer 0 (gradient buffer), and fused
// SGD with per-layer clipping. One image per scalar type (NUMTEST_ONLY_FLOAT/DOUBLE) keeps
// each within a Cortex-M0's flash.
#include <microprop/microprop.hpp>

#include <cstdint>
#include <limits>
#include <new>

#include "numeric_support.hpp"

namespace {

namespace mp = microprop;
using numtest::same_bits;

constexpr std::size_t samples = 8;  ///< normal data: one epoch

template <class T>
using classifier = mp::network<T, mp::dense<4, 6>, mp::relu, mp::dense<6, 3>, mp::softmax>;
template <class T>
using tied_first = mp::network<T, mp::dense<4, 3>, mp::tanh, mp::tied<0>, mp::sigmoid>;
template <class T>
using tied_past = mp::network<T, mp::dense<4, 5>, mp::tanh, mp::dense<5, 3>, mp::sigmoid, mp::tied<1>, mp::tanh,
                              mp::dense<5, 3>, mp::softmax>;

enum flavour : std::uint8_t { plain, nesterov, clipped };

/// One trainer configuration of the matrix.
template <class Net, class Loss, class Optimizer, std::size_t Batch, flavour Flavour = plain>
struct path {
    using net_type = Net;
    using loss_type = Loss;
    using optimizer_type = Optimizer;
    using trainer_type = mp::trainer<Net, Loss, Optimizer, Batch>;
    static constexpr std::size_t batch = Batch;
    /// Settings that train the normal data.
    static Optimizer settings()
    {
        Optimizer o{};
        if constexpr (std::is_same<Optimizer, mp::sgd>::value) {
            o.learning_rate = 0.1f;
        } else if constexpr (std::is_same<Optimizer, mp::momentum>::value) {
            o.learning_rate = 0.03f;
            o.nesterov = Flavour == nesterov;
        } else {
            o.learning_rate = 0.02f;
        }
        if (Flavour == clipped) o.gradient_clip = 0.5f;
        return o;
    }
};

/// Normal data for a network: inputs in [-1, 1]; one-hot targets for a softmax output,
/// targets in [0.1, 0.9] otherwise.
template <class Net>
struct data_set {
    using T = typename Net::scalar;
    T xs[samples][Net::input_size];
    T ds[samples][Net::output_size];
    data_set()
    {
        numtest::lcg rng(2026);
        for (std::size_t s = 0; s < samples; ++s) {
            for (auto& v : xs[s]) v = static_cast<T>(rng.symmetric());
            for (std::size_t k = 0; k < Net::output_size; ++k) {
                if (Net::output_activation == mp::activation_kind::softmax) {
                    ds[s][k] = k == s % Net::output_size ? T(1) : T(0);
                } else {
                    ds[s][k] = static_cast<T>(0.5 + 0.4 * rng.symmetric());
                }
            }
        }
    }
};

/// What a case does to the step: a bad input, a bad target, a bad weight or a bad setting.
enum class where : std::uint8_t { input, target, weight, setting };

struct bad_case {
    where at;
    std::uint8_t kind;  ///< index into the value table (input, target, weight) or the setting list
};

/// Values put into one input or target entry. The last entries are whole-vector targets.
enum value_kind : std::uint8_t {
    v_nan,
    v_inf,
    v_minus_inf,
    v_1e30,
    v_1e38,
    v_minus_1e38,
    v_denormal,
    v_minus_zero,
    value_kinds,
    t_two_hot = value_kinds,  ///< targets [1, 1, 0, ...]
    t_soft,                   ///< targets [0.5, 0.2, 0.1, ...]: sum 0.8
    t_negative,               ///< targets [-1, 2, 0, ...]
    target_kinds
};

template <class T>
T value_of(value_kind k)
{
    switch (k) {
        case v_nan: return std::numeric_limits<T>::quiet_NaN();
        case v_inf: return std::numeric_limits<T>::infinity();
        case v_minus_inf: return -std::numeric_limits<T>::infinity();
        case v_1e30: return T(1e30);
        case v_1e38: return T(1e38);
        case v_minus_1e38: return T(-1e38);
        case v_denormal: return std::numeric_limits<T>::denorm_min() * T(3);
        case v_minus_zero: return T(-0.0);
        default: break;
    }
    return T(0);
}

/// The status a bad input or target value must get (ok: accepted).
mp::status expected_for(where at, value_kind k)
{
    const bool input = at == where::input;
    switch (k) {
        case v_nan:
        case v_inf:
        case v_minus_inf: return input ? mp::status::non_finite_input : mp::status::non_finite_target;
        case v_1e30:
        case v_1e38:
        case v_minus_1e38: return input ? mp::status::input_out_of_range : mp::status::target_out_of_range;
        default: return mp::status::ok;
    }
}

/// Bad settings, one per entry; which apply depends on the optimizer.
enum setting_kind : std::uint8_t {
    lr_nan,
    lr_inf,
    lr_negative,
    lr_huge,
    decay_nan,
    decay_negative,
    clip_nan,
    clip_negative,
    clip_inf,
    momentum_negative,
    momentum_one,
    momentum_nan,
    beta1_one,
    beta1_nan,
    beta1_negative,
    beta2_one,
    beta2_nan,
    epsilon_zero,
    epsilon_negative,
    epsilon_nan,
    setting_kinds
};

constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();
constexpr float inf_f = std::numeric_limits<float>::infinity();

/// Applies a bad setting; false when it does not exist for this optimizer.
template <class Optimizer>
bool spoil(Optimizer& o, setting_kind k)
{
    switch (k) {
        case lr_nan: o.learning_rate = nan_f; return true;
        case lr_inf: o.learning_rate = inf_f; return true;
        case lr_negative: o.learning_rate = -0.01f; return true;
        case lr_huge: o.learning_rate = 1e10f; return true;
        case decay_nan: o.weight_decay = nan_f; return true;
        case decay_negative: o.weight_decay = -0.1f; return true;
        case clip_nan: o.gradient_clip = nan_f; return true;
        case clip_negative: o.gradient_clip = -1.0f; return true;
        case clip_inf: o.gradient_clip = inf_f; return true;
        default: break;
    }
    if constexpr (std::is_same<Optimizer, mp::momentum>::value) {
        switch (k) {
            case momentum_negative: o.momentum = -0.1f; return true;
            case momentum_one: o.momentum = 1.0f; return true;
            case momentum_nan: o.momentum = nan_f; return true;
            default: break;
        }
    }
    if constexpr (std::is_same<Optimizer, mp::adam>::value) {
        switch (k) {
            case beta1_one: o.beta1 = 1.0f; return true;
            case beta1_nan: o.beta1 = nan_f; return true;
            case beta1_negative: o.beta1 = -0.1f; return true;
            case beta2_one: o.beta2 = 1.0f; return true;
            case beta2_nan: o.beta2 = nan_f; return true;
            case epsilon_zero: o.epsilon = 0.0f; return true;
            case epsilon_negative: o.epsilon = -1e-8f; return true;
            case epsilon_nan: o.epsilon = nan_f; return true;
            default: break;
        }
    }
    return false;
}

/// Weights spoiled by a weight case: the first weight, a bias of the last layer, a weight
/// of the last layer (value NaN, +inf or -inf).
constexpr std::uint8_t weight_spots = 3;
constexpr value_kind weight_values[] = {v_nan, v_inf, v_minus_inf};

struct tally {
    std::size_t cases = 0;
    std::size_t non_finite_with_ok = 0;
    std::size_t rejected = 0;
};

template <class Trainer>
bool all_state_finite(Trainer& tr)
{
    return mp::all_finite(tr.network().parameters().data(), Trainer::parameter_count) &&
           mp::all_finite(tr.optimizer_state().data(), Trainer::optimizer_state_count);
}

/// Adam's step counters (the state that is not in the array); 0 for other optimizers.
template <class Optimizer>
double counters(const Optimizer& o)
{
    if constexpr (std::is_same<Optimizer, mp::adam>::value) {
        return o.beta1_power + 3.0 * o.beta2_power;
    } else {
        (void)o;
        return 0.0;
    }
}

/// Mean loss over one epoch of training (the losses measured before each update).
template <class Path>
typename Path::net_type::scalar epoch(typename Path::trainer_type& tr, const data_set<typename Path::net_type>& data,
                                      bool& all_ok)
{
    using Net = typename Path::net_type;
    using T = typename Net::scalar;
    T sum = T(0);
    std::size_t steps = 0;
    for (std::size_t s = 0; s + Path::batch <= samples; s += Path::batch) {
        all_ok &= tr.train_batch(mp::rows(data.xs, s, Path::batch), mp::rows(data.ds, s, Path::batch)) == mp::status::ok;
        sum += tr.last_loss();
        ++steps;
    }
    return sum / static_cast<T>(steps);
}

/// Everything one case needs, built in one static arena that every path shares (the
/// Cortex-M0 port has 16 KB of RAM).
template <class Path>
struct case_memory {
    using Net = typename Path::net_type;
    using T = typename Net::scalar;
    data_set<Net> data;
    Net net;
    typename Path::trainer_type tr;
    T xs[Path::batch][Net::input_size];
    T ds[Path::batch][Net::output_size];
    T weights_before[Net::parameter_count];
    T state_before[Path::trainer_type::optimizer_state_count + 1];
    case_memory() : tr(net, Path::settings()) {}
};
alignas(16) unsigned char arena[5120];

/// One case on a fresh network: warm up (so that the optimizer state is not zero), apply
/// the fault, step, check the outcome, undo the fault, train, check the loss went down.
template <class Path>
NUMTEST_NOINLINE void run_case(const bad_case& c, tally& t, bool check_parameters)
{
    using Net = typename Path::net_type;
    using T = typename Net::scalar;
    using Optimizer = typename Path::optimizer_type;
    constexpr std::size_t P = Net::parameter_count;
    constexpr std::size_t S = Path::trainer_type::optimizer_state_count;
    constexpr std::size_t B = Path::batch;
    static_assert(sizeof(case_memory<Path>) <= sizeof(arena), "a case fits the arena");
    auto* memory = new (arena) case_memory<Path>();
    struct release {
        case_memory<Path>* m;
        ~release() { m->~case_memory<Path>(); }
    } releaser{memory};
    const data_set<Net>& data = memory->data;
    Net& net = memory->net;
    typename Path::trainer_type& tr = memory->tr;
    T(&xs)[B][Net::input_size] = memory->xs;
    T(&ds)[B][Net::output_size] = memory->ds;
    T(&weights_before)[P] = memory->weights_before;
    T(&state_before)[S + 1] = memory->state_before;

    numtest::fill_parameters(net, 31, 1.0);
    tr.check_parameters = check_parameters || tr.check_parameters;
    bool warm_ok = true;
    (void)epoch<Path>(tr, data, warm_ok);
    ASSERT_TRUE(warm_ok);

    // The faulty batch: a copy of the first B samples.
    for (std::size_t s = 0; s < B; ++s) {
        for (std::size_t i = 0; i < Net::input_size; ++i) xs[s][i] = data.xs[s][i];
        for (std::size_t k = 0; k < Net::output_size; ++k) ds[s][k] = data.ds[s][k];
    }
    mp::status expected = mp::status::ok;
    bool must_reject = false;
    std::size_t spoiled_weight = 0;
    T saved_weight = T(0);
    const Optimizer settings = tr.optimizer();
    switch (c.at) {
        case where::input:
            xs[B - 1][1] = value_of<T>(static_cast<value_kind>(c.kind));
            expected = expected_for(c.at, static_cast<value_kind>(c.kind));
            must_reject = expected != mp::status::ok;
            break;
        case where::target:
            if (c.kind < value_kinds) {
                ds[B - 1][0] = value_of<T>(static_cast<value_kind>(c.kind));
                expected = expected_for(c.at, static_cast<value_kind>(c.kind));
                must_reject = expected != mp::status::ok;
            } else {
                for (std::size_t k = 0; k < Net::output_size; ++k) ds[B - 1][k] = T(0);
                if (c.kind == t_two_hot) {
                    ds[B - 1][0] = ds[B - 1][1] = T(1);
                } else if (c.kind == t_soft) {
                    ds[B - 1][0] = T(0.5);
                    ds[B - 1][1] = T(0.2);
                    ds[B - 1][2] = T(0.1);
                } else {
                    ds[B - 1][0] = T(-1);
                    ds[B - 1][1] = T(2);
                }
            }
            break;
        case where::weight: {
            const std::uint8_t spot = c.kind % weight_spots;
            const mp::layer_info& last = Net::layers[Net::layer_count - 1];
            spoiled_weight = spot == 0 ? 0 : spot == 1 ? last.bias_offset + 1 : last.weight_offset + 2;
            saved_weight = net.parameters()[spoiled_weight];
            net.parameters()[spoiled_weight] = value_of<T>(weight_values[c.kind / weight_spots]);
            must_reject = tr.check_parameters;
            if (must_reject) expected = mp::status::non_finite_parameter;
            break;
        }
        case where::setting:
            if (!spoil(tr.optimizer(), static_cast<setting_kind>(c.kind))) return;  // not this optimizer's
            expected = mp::status::invalid_hyperparameter;
            must_reject = true;
            break;
    }

    for (std::size_t k = 0; k < P; ++k) weights_before[k] = net.parameters()[k];
    for (std::size_t k = 0; k < S; ++k) state_before[k] = tr.optimizer_state()[k];
    const double counters_before = counters(tr.optimizer());
    const T loss_before = tr.last_loss();

    const mp::status s = tr.train_batch(xs, ds);
    ++t.cases;
    if (s == mp::status::ok) {
        if (!all_state_finite(tr)) ++t.non_finite_with_ok;
        EXPECT_TRUE(all_state_finite(tr));
    } else {
        ++t.rejected;
        EXPECT_TRUE(same_bits(net.parameters().data(), weights_before, P));
        EXPECT_TRUE(same_bits(tr.optimizer_state().data(), state_before, S));
        EXPECT_EQ(counters(tr.optimizer()), counters_before);
        EXPECT_EQ(tr.last_loss(), loss_before);
    }
    if (must_reject) EXPECT_EQ(s, expected);
    if (!must_reject && c.at != where::weight) EXPECT_EQ(s, mp::status::ok);

    // Undo the fault as the application would (restore the setting, reload the weight),
    // then train on normal data: the loss must go down.
    if (c.at == where::setting) tr.optimizer() = settings;
    if (c.at == where::weight && !mp::all_finite(net.parameters().data(), P)) {
        net.parameters()[spoiled_weight] = saved_weight;
    }
    ASSERT_TRUE(all_state_finite(tr));
    bool ok = true;
    const T first = epoch<Path>(tr, data, ok);
    T last = first;
    for (int e = 0; e < 6; ++e) last = epoch<Path>(tr, data, ok);
    EXPECT_TRUE(ok);
    EXPECT_LT(last, first);
}

/// Every case for one path.
template <class Path>
NUMTEST_NOINLINE void run_path(tally& t)
{
    for (std::uint8_t k = 0; k < value_kinds; ++k) run_case<Path>({where::input, k}, t, false);
    for (std::uint8_t k = 0; k < target_kinds; ++k) run_case<Path>({where::target, k}, t, false);
    for (std::uint8_t k = 0; k < setting_kinds; ++k) run_case<Path>({where::setting, k}, t, false);
    // Weights: with the parameter test (every path), and without it for NaN on the fused
    // paths, where the NaN must reach the loss by itself.
    for (std::uint8_t k = 0; k < 3 * weight_spots; ++k) run_case<Path>({where::weight, k}, t, true);
    if (Path::trainer_type::fused_sgd) {
        for (std::uint8_t k = 0; k < weight_spots; ++k) run_case<Path>({where::weight, k}, t, false);
    }
}

/// The whole matrix for one scalar type.
template <class T>
NUMTEST_NOINLINE tally run_matrix()
{
    tally t;
    run_path<path<classifier<T>, mp::cross_entropy, mp::sgd, 1>>(t);
    run_path<path<classifier<T>, mp::cross_entropy, mp::sgd, 1, clipped>>(t);
    run_path<path<classifier<T>, mp::cross_entropy, mp::momentum, 1>>(t);
    run_path<path<classifier<T>, mp::cross_entropy, mp::momentum, 1, nesterov>>(t);
    run_path<path<classifier<T>, mp::cross_entropy, mp::adam, 1>>(t);
    run_path<path<classifier<T>, mp::cross_entropy, mp::sgd, 4>>(t);
    run_path<path<classifier<T>, mp::cross_entropy, mp::adam, 4>>(t);
    run_path<path<tied_first<T>, mp::binary_cross_entropy, mp::sgd, 1>>(t);
    run_path<path<tied_past<T>, mp::cross_entropy, mp::sgd, 1>>(t);
    return t;
}

template <class T>
void report(const char* type)
{
    const tally t = run_matrix<T>();
    console::print("bad-input matrix: ", t.cases, " cases, ", t.non_finite_with_ok,
                              " non-finite-with-ok (", type, ", ", t.rejected, " rejected)\n");
    EXPECT_EQ(t.non_finite_with_ok, std::size_t{0});
    EXPECT_GT(t.cases, std::size_t{200});
}

}  // namespace

#if !defined(NUMTEST_ONLY_DOUBLE)
TEST(bad_inputs, float_matrix) { report<float>("float"); }
#endif
#if !defined(NUMTEST_ONLY_FLOAT)
TEST(bad_inputs, double_matrix) { report<double>("double"); }
#endif
