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
    T x;
    T y;
};

/// z = x + y; dz/dx = dz/dy = 1, so the upstream gradient passes through unchanged.
template <class T>
struct add_node {
    T forward(T x, T y) const { return x + y; }
    input_gradients<T> backward(T dout) const { return {dout, dout}; }
};

/// z = x * y; the gradient reaching each input is the upstream one times the *other* input.
template <class T>
struct mul_node {
    T x{};
    T y{};
    T forward(T x_in, T y_in)
    {
        x = x_in;
        y = y_in;
        return x_in * y_in;
    }
    input_gradients<T> backward(T dout) const { return {dout * y, dout * x}; }
};

}  // namespace microprop::graph

#endif
