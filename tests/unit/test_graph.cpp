// Add and Mul nodes on the shopping example of DLfS ch. 5 (include/microprop/theory.md section 2).
#include <microprop/microprop.hpp>

#include "microtest.hpp"

namespace mp = microprop;

// Polina buys 2 apples (100 each) and 3 oranges (150 each) with 20% consumption tax:
// total = (2 * 100 + 3 * 150) * 1.2 = 780. Backward from d(total) = 1 gives how much
// more she pays per unit change of each input; the graph is linear in each input, so
// the answers are exact: apples +10 -> +24, oranges +5 -> +18, tax 20% -> 10% -> -65.
TEST(graph, shopping_example)
{
    mp::graph::mul_node<double> apples;
    mp::graph::mul_node<double> oranges;
    mp::graph::add_node<double> subtotal;
    mp::graph::mul_node<double> tax;

    const double apple_price = 100.0;
    const double orange_price = 150.0;
    const double tax_rate = 1.2;
    const double total = tax.forward(
        subtotal.forward(apples.forward(apple_price, 2.0), oranges.forward(orange_price, 3.0)), tax_rate);
    EXPECT_NEAR(total, 780.0, 1e-12);

    const auto d_tax = tax.backward(1.0);               // {d subtotal, d tax_rate}
    const auto d_sum = subtotal.backward(d_tax.x);      // {d apples, d oranges}
    const auto d_apple = apples.backward(d_sum.x);      // {d price, d count}
    const auto d_orange = oranges.backward(d_sum.y);

    EXPECT_NEAR(d_apple.x, 2.4, 1e-12);
    EXPECT_NEAR(d_apple.y, 120.0, 1e-12);
    EXPECT_NEAR(d_orange.x, 3.6, 1e-12);
    EXPECT_NEAR(d_orange.y, 180.0, 1e-12);
    EXPECT_NEAR(d_tax.y, 650.0, 1e-12);

    EXPECT_NEAR(d_apple.x * 10.0, 24.0, 1e-12);
    EXPECT_NEAR(d_orange.x * 5.0, 18.0, 1e-12);
    EXPECT_NEAR(d_tax.y * (1.1 - 1.2), -65.0, 1e-9);
}
