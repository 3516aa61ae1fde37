// Host benchmark (Google Benchmark): the W1-W3 workloads of workloads.hpp, per-sample SGD
// training and inference, for microprop and, in the same run, FANN 2.2 (float), a
// straightforward Eigen 3 fixed-size implementation and a plain-loop implementation (both
// written here as baselines). Each benchmark reports ns per sample; bench_table.py turns the
// JSON output into the README table with the ratio of each to microprop.
//
// FANN 2.2 has neither ReLU nor softmax: its networks use FANN_LINEAR_PIECE (ReLU clipped at 1)
// hidden units and sigmoid outputs with FANN's squared-error backprop, the closest it offers
// at the same cost per weight. Everything else trains exactly the workload.
#define EIGEN_STACK_ALLOCATION_LIMIT 0  // W3's 784x64 fixed-size matrix lives in a static object
#include <Eigen/Dense>
#include <benchmark/benchmark.h>
#include <floatfann.h>

#include <cmath>
#include <cstddef>
#include <memory>

#include "workloads.hpp"

namespace {

namespace mp = microprop;
constexpr float lr = bench::learning_rate;

// ---- microprop -------------------------------------------------------------------------------

template <class Net, class Loss, class Data>
void microprop_train(benchmark::State& state, const Data& data)
{
    static Net net;
    net.initialize(1);
    mp::trainer<Net, Loss, mp::sgd> tr(net, mp::sgd{lr, 0.0f});
    std::size_t s = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(tr.train_sample(data.input(s), data.target(s)));
        ++s;
    }
    benchmark::ClobberMemory();
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

/// One minibatch step of bench::batch samples per iteration (the whole data set: 32 samples).
template <class Net, class Loss, class Optimizer, class Data>
void microprop_batch(benchmark::State& state, const Data& data, Optimizer optimizer)
{
    static_assert(Data::samples == bench::batch, "The minibatch benchmarks train on the whole 32-sample set.");
    static Net net;
    net.initialize(1);
    static mp::trainer<Net, Loss, Optimizer, bench::batch> tr(net, optimizer);
    tr = mp::trainer<Net, Loss, Optimizer, bench::batch>(net, optimizer);
    for (auto _ : state) {
        benchmark::DoNotOptimize(tr.train_batch(data.first_inputs(bench::batch), data.first_targets(bench::batch)));
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * bench::batch));
}

template <class Net, class Data>
void microprop_infer(benchmark::State& state, const Data& data)
{
    static Net net;
    net.initialize(1);
    std::size_t s = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(net.forward(data.input(s)).data());
        ++s;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// ---- microprop's W2 step, phase by phase ------------------------------------------------------
// Each kernel of a W2 training step alone, on the buffers of a W2 network: where the time of a
// step goes, and what the throughput-bound phases (the first layer's forward pass and update)
// leave for the rest. Deltas alternate in sign so that repeated updates do not drift.

struct w2_phases {
    bench::w2_net net;
    float g[32] = {}, delta[10] = {};
    w2_phases()
    {
        net.initialize(1);
        (void)net.forward(bench::w2_data.input(0));
        for (std::size_t k = 0; k < 10; ++k) delta[k] = 0.05f * static_cast<float>(k % 3) - 0.04f;
        for (std::size_t j = 0; j < 32; ++j) g[j] = 0.02f * static_cast<float>(j % 5) - 0.03f;
    }
    float* w1() { return net.parameters().data(); }
    float* b1() { return w1() + 64 * 32; }
    float* w2() { return b1() + 32; }
    float* b2() { return w2() + 32 * 10; }
    float* hidden() { return net.view().activations; }
    float* output() { return net.view().activations + 32; }
};

template <int Phase>
void microprop_W2_phase(benchmark::State& state)
{
    namespace active = mp::kernels::active;
    static w2_phases p;
    std::size_t s = 0;
    for (auto _ : state) {
        [[maybe_unused]] const float sign = (s & 1u) != 0 ? -1.0f : 1.0f;
        const float* x = bench::w2_data.input(s);
        if constexpr (Phase == 0) {
            active::dense_forward_activate(p.w1(), p.b1(), x, p.hidden(), 64, 32, mp::activation_kind::relu, 0.0f);
        } else if constexpr (Phase == 1) {
            active::dense_forward_activate(p.w2(), p.b2(), p.hidden(), p.output(), 32, 10, mp::activation_kind::softmax,
                                           0.0f);
        } else if constexpr (Phase == 2) {
            for (float& d : p.delta) d = -d;
            active::dense_backward_sgd(p.w2(), p.b2(), p.hidden(), p.delta, p.g, 32, 10, lr, 0.0f);
        } else {
            float g[32];
            for (std::size_t j = 0; j < 32; ++j) g[j] = sign * p.g[j];
            active::dense_update_below_relu(p.w1(), p.b1(), x, g, p.hidden(), 64, 32, lr, 0.0f);
        }
        benchmark::ClobberMemory();
        ++s;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// ---- Plain loops: a hand-written two-layer network, the obvious triple loops ------------------

enum class kind { sigmoid_squared, relu_softmax };

template <std::size_t In, std::size_t H, std::size_t Out, kind K>
struct plain_mlp {
    float w1[H][In], b1[H], w2[Out][H], b2[Out];
    float h[H], y[Out], d2[Out], d1[H];

    void init()
    {
        mp::random_generator rng(1);
        const float a1 = std::sqrt(6.0f / (K == kind::relu_softmax ? In : In + H));
        const float a2 = std::sqrt(6.0f / (H + Out));
        for (auto& r : w1) for (auto& v : r) v = rng.uniform<float>(-a1, a1);
        for (auto& r : w2) for (auto& v : r) v = rng.uniform<float>(-a2, a2);
        for (auto& v : b1) v = 0.0f;
        for (auto& v : b2) v = 0.0f;
    }
    void forward(const float* x)
    {
        for (std::size_t j = 0; j < H; ++j) {
            float a = b1[j];
            for (std::size_t i = 0; i < In; ++i) a += w1[j][i] * x[i];
            h[j] = K == kind::relu_softmax ? (a > 0.0f ? a : 0.0f) : 1.0f / (1.0f + std::exp(-a));
        }
        for (std::size_t k = 0; k < Out; ++k) {
            float a = b2[k];
            for (std::size_t j = 0; j < H; ++j) a += w2[k][j] * h[j];
            y[k] = a;
        }
        if (K == kind::relu_softmax) {
            float m = y[0];
            for (std::size_t k = 1; k < Out; ++k) m = y[k] > m ? y[k] : m;
            float sum = 0.0f;
            for (std::size_t k = 0; k < Out; ++k) sum += (y[k] = std::exp(y[k] - m));
            for (std::size_t k = 0; k < Out; ++k) y[k] /= sum;
        } else {
            for (std::size_t k = 0; k < Out; ++k) y[k] = 1.0f / (1.0f + std::exp(-y[k]));
        }
    }
    void train(const float* x, const float* d)
    {
        forward(x);
        for (std::size_t k = 0; k < Out; ++k) {
            d2[k] = y[k] - d[k];
            if (K == kind::sigmoid_squared) d2[k] *= y[k] * (1.0f - y[k]);
        }
        for (std::size_t j = 0; j < H; ++j) {
            float g = 0.0f;
            for (std::size_t k = 0; k < Out; ++k) g += w2[k][j] * d2[k];
            d1[j] = K == kind::relu_softmax ? (h[j] > 0.0f ? g : 0.0f) : g * h[j] * (1.0f - h[j]);
        }
        for (std::size_t k = 0; k < Out; ++k) {
            for (std::size_t j = 0; j < H; ++j) w2[k][j] -= lr * d2[k] * h[j];
            b2[k] -= lr * d2[k];
        }
        for (std::size_t j = 0; j < H; ++j) {
            for (std::size_t i = 0; i < In; ++i) w1[j][i] -= lr * d1[j] * x[i];
            b1[j] -= lr * d1[j];
        }
    }
};

// ---- Eigen 3: fixed-size matrices, expression templates, nothing clever ----------------------

/// The Eigen networks' initial weights: the same draws as plain_mlp::init.
template <kind K, class W1, class B1, class W2, class B2>
void eigen_init(W1& w1, B1& b1, W2& w2, B2& b2)
{
    mp::random_generator rng(1);
    const auto in = static_cast<float>(w1.cols()), hidden = static_cast<float>(w1.rows());
    const auto out = static_cast<float>(w2.rows());
    const float a1 = std::sqrt(6.0f / (K == kind::relu_softmax ? in : in + hidden));
    const float a2 = std::sqrt(6.0f / (hidden + out));
    for (Eigen::Index k = 0; k < w1.size(); ++k) w1.data()[k] = rng.uniform<float>(-a1, a1);
    for (Eigen::Index k = 0; k < w2.size(); ++k) w2.data()[k] = rng.uniform<float>(-a2, a2);
    b1.setZero();
    b2.setZero();
}

template <std::size_t In, std::size_t H, std::size_t Out, kind K>
struct eigen_mlp {
    using in_t = Eigen::Matrix<float, int(In), 1>;
    using hid_t = Eigen::Matrix<float, int(H), 1>;
    using out_t = Eigen::Matrix<float, int(Out), 1>;
    Eigen::Matrix<float, int(H), int(In), Eigen::RowMajor> w1;
    hid_t b1, h;
    Eigen::Matrix<float, int(Out), int(H), Eigen::RowMajor> w2;
    out_t b2, y;

    void init() { eigen_init<K>(w1, b1, w2, b2); }
    void forward(const float* xp)
    {
        const Eigen::Map<const in_t> x(xp);
        if (K == kind::relu_softmax) {
            h.noalias() = (w1 * x + b1).cwiseMax(0.0f);
            y.noalias() = w2 * h + b2;
            y = (y.array() - y.maxCoeff()).exp();
            y /= y.sum();
        } else {
            h = (-(w1 * x + b1)).array().exp().matrix();
            h = (1.0f + h.array()).inverse().matrix();
            y = (-(w2 * h + b2)).array().exp().matrix();
            y = (1.0f + y.array()).inverse().matrix();
        }
    }
    void train(const float* xp, const float* dp)
    {
        forward(xp);
        const Eigen::Map<const in_t> x(xp);
        const Eigen::Map<const out_t> d(dp);
        out_t d2 = y - d;
        if (K == kind::sigmoid_squared) d2.array() *= y.array() * (1.0f - y.array());
        hid_t d1 = w2.transpose() * d2;
        if (K == kind::relu_softmax) {
            d1.array() *= (h.array() > 0.0f).template cast<float>();
        } else {
            d1.array() *= h.array() * (1.0f - h.array());
        }
        w2.noalias() -= (lr * d2) * h.transpose();
        b2 -= lr * d2;
        w1.noalias() -= (lr * d1) * x.transpose();
        b1 -= lr * d1;
    }
};

/// The same network trained on minibatches of N samples in the matrix form (samples as
/// columns), the gradient averaged over the batch, then an SGD or Adam step per parameter
/// matrix: what a straightforward Eigen user writes.
template <std::size_t In, std::size_t H, std::size_t Out, std::size_t N, kind K, bool Adam>
struct eigen_batch_mlp {
    template <int R, int C>
    using mat = Eigen::Matrix<float, R, C, (C == 1 ? Eigen::ColMajor : Eigen::RowMajor)>;
    static constexpr int in = int(In), hid = int(H), out = int(Out), n = int(N);
    mat<hid, in> w1, g1, m1, v1;
    mat<hid, 1> b1, gb1, mb1, vb1;
    mat<out, hid> w2, g2, m2, v2;
    mat<out, 1> b2, gb2, mb2, vb2;
    Eigen::Matrix<float, hid, n> h, d1;
    Eigen::Matrix<float, out, n> y, d2;
    float beta1_power = 1.0f, beta2_power = 1.0f;

    void init()
    {
        eigen_init<K>(w1, b1, w2, b2);
        m1.setZero(), v1.setZero(), mb1.setZero(), vb1.setZero();
        m2.setZero(), v2.setZero(), mb2.setZero(), vb2.setZero();
        beta1_power = beta2_power = 1.0f;
    }
    template <class P, class G, class M, class V>
    void update(P& p, const G& g, M& m, V& v)
    {
        if (!Adam) {
            p.noalias() -= lr * g;
            return;
        }
        const float b1 = 0.9f, b2 = 0.999f, adam_lr = 0.001f, eps = 1e-8f;
        m = b1 * m + (1.0f - b1) * g;
        v = b2 * v + (1.0f - b2) * g.cwiseProduct(g);
        p.array() -= adam_lr * (m.array() / (1.0f - beta1_power)) /
                     ((v.array() / (1.0f - beta2_power)).sqrt() + eps);
    }
    void train(const float* xp, const float* dp)
    {
        // The samples one after another are the columns of a column-major In x N matrix.
        const Eigen::Map<const Eigen::Matrix<float, in, n>> x(xp);
        const Eigen::Map<const Eigen::Matrix<float, out, n>> d(dp);
        if (K == kind::relu_softmax) {
            h.noalias() = w1 * x;
            h = (h.colwise() + b1).cwiseMax(0.0f);
            y.noalias() = w2 * h;
            y.colwise() += b2;
            y = (y.rowwise() - y.colwise().maxCoeff()).array().exp().matrix();
            y = y.array().rowwise() / y.colwise().sum().array();
            d2 = (y - d) / float(N);
        } else {
            h.noalias() = w1 * x;
            h = (1.0f + (-(h.colwise() + b1)).array().exp()).inverse().matrix();
            y.noalias() = w2 * h;
            y = (1.0f + (-(y.colwise() + b2)).array().exp()).inverse().matrix();
            d2 = ((y - d).array() * y.array() * (1.0f - y.array())).matrix() / float(N);
        }
        d1.noalias() = w2.transpose() * d2;
        if (K == kind::relu_softmax) {
            d1.array() *= (h.array() > 0.0f).template cast<float>();
        } else {
            d1.array() *= h.array() * (1.0f - h.array());
        }
        g2.noalias() = d2 * h.transpose();
        gb2 = d2.rowwise().sum();
        g1.noalias() = d1 * x.transpose();
        gb1 = d1.rowwise().sum();
        beta1_power *= 0.9f;
        beta2_power *= 0.999f;
        update(w2, g2, m2, v2);
        update(b2, gb2, mb2, vb2);
        update(w1, g1, m1, v1);
        update(b1, gb1, mb1, vb1);
    }
};

template <class Model, class Data>
void model_batch(benchmark::State& state, const Data& data)
{
    static Model model;
    model.init();
    for (auto _ : state) {
        model.train(&data.x[0][0], &data.d[0][0]);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * bench::batch));
}

template <class Model, class Data>
void model_train(benchmark::State& state, const Data& data)
{
    static Model model;
    model.init();
    std::size_t s = 0;
    for (auto _ : state) {
        model.train(data.input(s), data.target(s));
        benchmark::ClobberMemory();
        ++s;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

template <class Model, class Data>
void model_infer(benchmark::State& state, const Data& data)
{
    static Model model;
    model.init();
    std::size_t s = 0;
    for (auto _ : state) {
        model.forward(data.input(s));
        benchmark::DoNotOptimize(model.y);
        ++s;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// ---- FANN 2.2 (float build) ------------------------------------------------------------------

struct fann_deleter {
    void operator()(struct fann* ann) const { fann_destroy(ann); }
};

template <class Data>
std::unique_ptr<struct fann, fann_deleter> make_fann(unsigned in, unsigned hidden, unsigned out, bool relu_like)
{
    std::unique_ptr<struct fann, fann_deleter> ann(fann_create_standard(3, in, hidden, out));
    fann_set_activation_function_hidden(ann.get(), relu_like ? FANN_LINEAR_PIECE : FANN_SIGMOID);
    fann_set_activation_function_output(ann.get(), FANN_SIGMOID);
    fann_set_learning_rate(ann.get(), lr);
    fann_set_learning_momentum(ann.get(), 0.0f);
    fann_set_train_error_function(ann.get(), FANN_ERRORFUNC_LINEAR);
    fann_set_training_algorithm(ann.get(), FANN_TRAIN_INCREMENTAL);
    fann_randomize_weights(ann.get(), -0.1f, 0.1f);
    return ann;
}

template <class Data>
void fann_train_bench(benchmark::State& state, const Data& data, unsigned hidden, bool relu_like)
{
    auto ann = make_fann<Data>(Data::inputs, hidden, Data::outputs, relu_like);
    std::size_t s = 0;
    for (auto _ : state) {
        fann_train(ann.get(), const_cast<fann_type*>(data.input(s)), const_cast<fann_type*>(data.target(s)));
        ++s;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

/// FANN's batch training (FANN_TRAIN_BATCH): fann_train_epoch on the 32-sample set is one
/// update with the gradient averaged over the 32 samples, i.e. one minibatch SGD step.
template <class Data>
void fann_batch_bench(benchmark::State& state, const Data& data, unsigned hidden, bool relu_like)
{
    auto ann = make_fann<Data>(Data::inputs, hidden, Data::outputs, relu_like);
    fann_set_training_algorithm(ann.get(), FANN_TRAIN_BATCH);
    struct fann_train_data* set = fann_create_train(Data::samples, Data::inputs, Data::outputs);
    for (std::size_t s = 0; s < Data::samples; ++s) {
        for (std::size_t i = 0; i < Data::inputs; ++i) set->input[s][i] = data.input(s)[i];
        for (std::size_t k = 0; k < Data::outputs; ++k) set->output[s][k] = data.target(s)[k];
    }
    for (auto _ : state) benchmark::DoNotOptimize(fann_train_epoch(ann.get(), set));
    fann_destroy_train(set);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * Data::samples));
}

template <class Data>
void fann_infer_bench(benchmark::State& state, const Data& data, unsigned hidden, bool relu_like)
{
    auto ann = make_fann<Data>(Data::inputs, hidden, Data::outputs, relu_like);
    std::size_t s = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(fann_run(ann.get(), const_cast<fann_type*>(data.input(s))));
        ++s;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

using plain_w1 = plain_mlp<2, 8, 1, kind::sigmoid_squared>;
using plain_w2 = plain_mlp<64, 32, 10, kind::relu_softmax>;
using plain_w3 = plain_mlp<784, 64, 10, kind::relu_softmax>;
using eigen_w1 = eigen_mlp<2, 8, 1, kind::sigmoid_squared>;
using eigen_w2 = eigen_mlp<64, 32, 10, kind::relu_softmax>;
using eigen_w3 = eigen_mlp<784, 64, 10, kind::relu_softmax>;

void microprop_W1_train(benchmark::State& s) { microprop_train<bench::w1_net, bench::w1_loss>(s, bench::w1_data); }
void microprop_W2_train(benchmark::State& s) { microprop_train<bench::w2_net, bench::w2_loss>(s, bench::w2_data); }
void microprop_W3_train(benchmark::State& s) { microprop_train<bench::w3_net, bench::w3_loss>(s, bench::w3_data); }
void microprop_W1_batch_sgd(benchmark::State& s) { microprop_batch<bench::w1_net, bench::w1_loss>(s, bench::w1_data, mp::sgd{lr, 0.0f}); }
void microprop_W2_batch_sgd(benchmark::State& s) { microprop_batch<bench::w2_net, bench::w2_loss>(s, bench::w2_data, mp::sgd{lr, 0.0f}); }
void microprop_W3_batch_sgd(benchmark::State& s) { microprop_batch<bench::w3_net, bench::w3_loss>(s, bench::w3_data, mp::sgd{lr, 0.0f}); }
void microprop_W1_batch_adam(benchmark::State& s) { microprop_batch<bench::w1_net, bench::w1_loss>(s, bench::w1_data, mp::adam{}); }
void microprop_W2_batch_adam(benchmark::State& s) { microprop_batch<bench::w2_net, bench::w2_loss>(s, bench::w2_data, mp::adam{}); }
void microprop_W3_batch_adam(benchmark::State& s) { microprop_batch<bench::w3_net, bench::w3_loss>(s, bench::w3_data, mp::adam{}); }
void eigen_W1_batch_sgd(benchmark::State& s) { model_batch<eigen_batch_mlp<2, 8, 1, 32, kind::sigmoid_squared, false>>(s, bench::w1_data); }
void eigen_W2_batch_sgd(benchmark::State& s) { model_batch<eigen_batch_mlp<64, 32, 10, 32, kind::relu_softmax, false>>(s, bench::w2_data); }
void eigen_W3_batch_sgd(benchmark::State& s) { model_batch<eigen_batch_mlp<784, 64, 10, 32, kind::relu_softmax, false>>(s, bench::w3_data); }
void eigen_W1_batch_adam(benchmark::State& s) { model_batch<eigen_batch_mlp<2, 8, 1, 32, kind::sigmoid_squared, true>>(s, bench::w1_data); }
void eigen_W2_batch_adam(benchmark::State& s) { model_batch<eigen_batch_mlp<64, 32, 10, 32, kind::relu_softmax, true>>(s, bench::w2_data); }
void eigen_W3_batch_adam(benchmark::State& s) { model_batch<eigen_batch_mlp<784, 64, 10, 32, kind::relu_softmax, true>>(s, bench::w3_data); }
void fann_W1_batch_sgd(benchmark::State& s) { fann_batch_bench(s, bench::w1_data, 8, false); }
void fann_W2_batch_sgd(benchmark::State& s) { fann_batch_bench(s, bench::w2_data, 32, true); }
void fann_W3_batch_sgd(benchmark::State& s) { fann_batch_bench(s, bench::w3_data, 64, true); }
void microprop_W1_infer(benchmark::State& s) { microprop_infer<bench::w1_net>(s, bench::w1_data); }
void microprop_W2_infer(benchmark::State& s) { microprop_infer<bench::w2_net>(s, bench::w2_data); }
void microprop_W3_infer(benchmark::State& s) { microprop_infer<bench::w3_net>(s, bench::w3_data); }
void eigen_W1_train(benchmark::State& s) { model_train<eigen_w1>(s, bench::w1_data); }
void eigen_W2_train(benchmark::State& s) { model_train<eigen_w2>(s, bench::w2_data); }
void eigen_W3_train(benchmark::State& s) { model_train<eigen_w3>(s, bench::w3_data); }
void eigen_W1_infer(benchmark::State& s) { model_infer<eigen_w1>(s, bench::w1_data); }
void eigen_W2_infer(benchmark::State& s) { model_infer<eigen_w2>(s, bench::w2_data); }
void eigen_W3_infer(benchmark::State& s) { model_infer<eigen_w3>(s, bench::w3_data); }
void plain_W1_train(benchmark::State& s) { model_train<plain_w1>(s, bench::w1_data); }
void plain_W2_train(benchmark::State& s) { model_train<plain_w2>(s, bench::w2_data); }
void plain_W3_train(benchmark::State& s) { model_train<plain_w3>(s, bench::w3_data); }
void plain_W1_infer(benchmark::State& s) { model_infer<plain_w1>(s, bench::w1_data); }
void plain_W2_infer(benchmark::State& s) { model_infer<plain_w2>(s, bench::w2_data); }
void plain_W3_infer(benchmark::State& s) { model_infer<plain_w3>(s, bench::w3_data); }
void fann_W1_train(benchmark::State& s) { fann_train_bench(s, bench::w1_data, 8, false); }
void fann_W2_train(benchmark::State& s) { fann_train_bench(s, bench::w2_data, 32, true); }
void fann_W3_train(benchmark::State& s) { fann_train_bench(s, bench::w3_data, 64, true); }
void fann_W1_infer(benchmark::State& s) { fann_infer_bench(s, bench::w1_data, 8, false); }
void fann_W2_infer(benchmark::State& s) { fann_infer_bench(s, bench::w2_data, 32, true); }
void fann_W3_infer(benchmark::State& s) { fann_infer_bench(s, bench::w3_data, 64, true); }

}  // namespace

BENCHMARK(microprop_W1_train);
BENCHMARK(eigen_W1_train);
BENCHMARK(fann_W1_train);
BENCHMARK(plain_W1_train);
BENCHMARK(microprop_W1_infer);
BENCHMARK(microprop_W1_batch_sgd);
BENCHMARK(eigen_W1_batch_sgd);
BENCHMARK(fann_W1_batch_sgd);
BENCHMARK(microprop_W1_batch_adam);
BENCHMARK(eigen_W1_batch_adam);
BENCHMARK(eigen_W1_infer);
BENCHMARK(fann_W1_infer);
BENCHMARK(plain_W1_infer);
BENCHMARK(microprop_W2_train);
BENCHMARK(eigen_W2_train);
BENCHMARK(fann_W2_train);
BENCHMARK(plain_W2_train);
BENCHMARK(microprop_W2_infer);
BENCHMARK(microprop_W2_batch_sgd);
BENCHMARK(eigen_W2_batch_sgd);
BENCHMARK(fann_W2_batch_sgd);
BENCHMARK(microprop_W2_batch_adam);
BENCHMARK(eigen_W2_batch_adam);
BENCHMARK(eigen_W2_infer);
BENCHMARK(fann_W2_infer);
BENCHMARK(plain_W2_infer);
BENCHMARK(microprop_W2_phase<0>)->Name("phase_W2_layer1_forward_relu");
BENCHMARK(microprop_W2_phase<1>)->Name("phase_W2_layer2_forward_softmax");
BENCHMARK(microprop_W2_phase<2>)->Name("phase_W2_layer2_backward_update");
BENCHMARK(microprop_W2_phase<3>)->Name("phase_W2_layer1_update");
BENCHMARK(microprop_W3_train);
BENCHMARK(eigen_W3_train);
BENCHMARK(fann_W3_train);
BENCHMARK(plain_W3_train);
BENCHMARK(microprop_W3_infer);
BENCHMARK(microprop_W3_batch_sgd);
BENCHMARK(eigen_W3_batch_sgd);
BENCHMARK(fann_W3_batch_sgd);
BENCHMARK(microprop_W3_batch_adam);
BENCHMARK(eigen_W3_batch_adam);
BENCHMARK(eigen_W3_infer);
BENCHMARK(fann_W3_infer);
BENCHMARK(plain_W3_infer);

BENCHMARK_MAIN();
