// Computational-graph nodes: values flow forward along the edges, gradients
// flow backward (DLfS 5.1-5.4). Each node keeps what its backward pass needs.
//
// These are the teaching form of backpropagation; the network and trainer use
// the same chain rule, fused into whole layers.
#ifndef MICROPROP_GRAPH_HPP
#define MICROPROP_GRAPH_HPP

namespace microprop::graph {

/// Gradients with respect to a binary node's two inputs.
template <class T>
struct input_gradients {
    /// dL/dx.
    T x;
    /// dL/dy.
    T y;
};

/// z = x + y; dz/dx = dz/dy = 1, so the upstream gradient passes through unchanged.
template <class T>
struct add_node {
    /// x + y.
    T forward(T x, T y) const { return x + y; }
    /// {dout, dout}: the upstream gradient to both inputs.
    input_gradients<T> backward(T dout) const { return {dout, dout}; }
};

/// z = x * y; the gradient reaching each input is the upstream one times the *other* input.
template <class T>
struct mul_node {
    /// The x of the last forward().
    T x{};
    /// The y of the last forward().
    T y{};
    /// x * y; remembers both inputs for backward().
    T forward(T x_in, T y_in)
    {
        x = x_in;
        y = y_in;
        return x_in * y_in;
    }
    /// {dout * y, dout * x} with the inputs of the last forward().
    input_gradients<T> backward(T dout) const { return {dout * y, dout * x}; }
};

}  // namespace microprop::graph

#endif
