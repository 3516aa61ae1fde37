// Layers as objects (DLfS ch. 5): Affine, Sigmoid, ReLU, tanh and SoftmaxWithLoss, each
// usable on its own with forward(x) and backward(dout), for learning backpropagation one
// layer at a time and for hand-built graphs.
//
// Each object keeps what its backward pass needs in std::array members sized by its
// template parameters (affine: its input; an activation: its output; softmax with loss:
// its output and targets), so sizeof is its whole RAM cost and nothing allocates. They
// call the same kernels as network and trainer (kernels/select_float.hpp), in the same order,
// so a chain of them computes the network's forward pass, loss and gradient bit for bit.
#ifndef MICROPROP_LAYERS_OBJECTS_HPP
#define MICROPROP_LAYERS_OBJECTS_HPP

#include <array>
#include <cstddef>

#include "../kernels/select_float.hpp"
#include "../losses.hpp"
#include "../scalar.hpp"
#include "activations.hpp"

namespace microprop {

/// u = W x + b as an object (DLfS 5.6.2 "Affine"), W `[Outputs][Inputs]` row-major as in
/// a network's parameter vector. forward() keeps x for backward(), which writes
/// dW = dout x^T and db = dout and returns dx = W^T dout.
///
/// RAM: sizeof = (2 Inputs Outputs + 2 Outputs + Inputs) sizeof(T).
template <class T, std::size_t Inputs, std::size_t Outputs>
class affine_layer {
public:
    static_assert(Inputs > 0 && Outputs > 0, "An affine layer needs at least one input and one output.");
    /// Input width.
    static constexpr std::size_t inputs = Inputs;
    /// Output width.
    static constexpr std::size_t outputs = Outputs;

    /// W, `[Outputs][Inputs]` row-major.
    std::array<T, Inputs * Outputs> weights{};
    /// b.
    std::array<T, Outputs> biases{};
    /// dE/dW from the last backward() (same layout as weights).
    std::array<T, Inputs * Outputs> weight_gradient{};
    /// dE/db from the last backward().
    std::array<T, Outputs> bias_gradient{};

    /// Returns W x + b and keeps x for backward().
    std::array<T, Outputs> forward(const std::array<T, Inputs>& x)
    {
        input_ = x;
        std::array<T, Outputs> u;
        // The network's dense kernel with an identity activation: its arithmetic, bit for bit.
        kernels::active::dense_forward_activate(weights.data(), biases.data(), input_.data(), u.data(), Inputs, Outputs,
                                                activation_kind::identity, T(0));
        return u;
    }

    /// Sets weight_gradient = dout x^T and bias_gradient = dout for the x of the last
    /// forward(), and returns dx = W^T dout. Precondition: forward() ran first.
    std::array<T, Inputs> backward(const std::array<T, Outputs>& dout)
    {
        weight_gradient.fill(T(0));
        bias_gradient.fill(T(0));
        kernels::active::dense_accumulate_gradient(dout.data(), input_.data(), weight_gradient.data(),
                                                   bias_gradient.data(), Inputs, Outputs, T(1));
        std::array<T, Inputs> dx;
        kernels::active::dense_backward_input(weights.data(), dout.data(), dx.data(), Inputs, Outputs);
        return dx;
    }

private:
    std::array<T, Inputs> input_{};
};

/// An element-wise activation as an object: forward() applies f and keeps z = f(x);
/// backward(dout) returns dout * f'(x), with f' written in terms of z (DLfS 5.5).
/// `Activation` is one of the network's activation tags (sigmoid, tanh, relu, leaky_relu,
/// basic_leaky_relu<N, D>, identity). RAM: sizeof = Width sizeof(T).
template <class T, std::size_t Width, class Activation>
class activation_layer {
public:
    static_assert(Width > 0, "An activation layer needs at least one value.");
    static_assert(Activation::kind != activation_kind::softmax,
                  "Softmax is softmax_with_loss, which also takes the targets.");
    /// Width of input and output.
    static constexpr std::size_t width = Width;

    /// Returns z = f(x) and keeps it for backward().
    std::array<T, Width> forward(const std::array<T, Width>& x)
    {
        output_ = x;
        kernels::active::activate(Activation::kind, parameter, output_.data(), Width);
        return output_;
    }

    /// Returns dE/dx = f'(x) dout from the z of the last forward(). Precondition: forward()
    /// ran first.
    std::array<T, Width> backward(const std::array<T, Width>& dout) const
    {
        std::array<T, Width> dx = dout;
        kernels::active::activation_backward(Activation::kind, parameter, output_.data(), dx.data(), Width);
        return dx;
    }

private:
    static constexpr T parameter = static_cast<T>(Activation::parameter);  // the leaky ReLU slope

    std::array<T, Width> output_{};
};

/// 1 / (1 + e^-x) as an object (DLfS 5.5.2): backward is dout z (1 - z).
template <class T, std::size_t Width>
using sigmoid_layer = activation_layer<T, Width, sigmoid>;
/// tanh(x) as an object: backward is dout (1 - z^2).
template <class T, std::size_t Width>
using tanh_layer = activation_layer<T, Width, tanh>;
/// max(0, x) as an object (DLfS 5.5.1): backward passes dout where z > 0.
template <class T, std::size_t Width>
using relu_layer = activation_layer<T, Width, relu>;

/// Softmax followed by the cross-entropy loss as one object (DLfS 5.6.3 "Softmax-with-
/// Loss"): forward(x, t) returns E = -sum_k t_k log y_k for y = softmax(x); backward()
/// returns dE/dx = y sum(t) - t (y - t for one-hot targets), the trainer's own delta.
/// Where a y_k with t_k != 0 underflowed, E comes from x by log-sum-exp, as the
/// trainer's loss does.
///
/// RAM: sizeof = (2 Width + 1) sizeof(T) plus padding.
template <class T, std::size_t Width>
class softmax_with_loss {
public:
    static_assert(Width > 0, "Softmax needs at least one value.");
    /// Number of classes.
    static constexpr std::size_t width = Width;

    /// Returns the loss of x against targets t and keeps y and dE/dx for backward().
    /// A NaN or infinite value in x or t gives a NaN or infinite loss (checked by nothing here).
    T forward(const std::array<T, Width>& x, const std::array<T, Width>& t)
    {
        output_ = x;
        kernels::active::activate(activation_kind::softmax, T(0), output_.data(), Width);
        bool saturated = false;
        loss_ = value_and_output_delta<cross_entropy>(activation_kind::softmax, T(0), output_.data(), t.data(),
                                                      delta_.data(), Width, saturated);
        if (saturated || !scalar_ops<T>::is_finite(loss_)) loss_ = cross_entropy::value_from_preactivation(x.data(), t.data(), Width);
        return loss_;
    }

    /// Returns dE/dx times dout (1 for the loss itself). Precondition: forward() ran first.
    std::array<T, Width> backward(T dout = T(1)) const
    {
        std::array<T, Width> dx = delta_;
        if (dout != T(1)) {
            for (T& value : dx) value *= dout;
        }
        return dx;
    }

    /// y = softmax(x) of the last forward().
    const std::array<T, Width>& output() const { return output_; }
    /// The loss of the last forward().
    T loss() const { return loss_; }

private:
    std::array<T, Width> output_{};
    std::array<T, Width> delta_{};
    T loss_ = T(0);
};

}  // namespace microprop

#endif
