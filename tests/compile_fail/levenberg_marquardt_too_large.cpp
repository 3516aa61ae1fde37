// A network with more parameters than levenberg_marquardt's MaxParameters (P = 4,420 here,
// 256 allowed by default): its two packed P x P triangles would need 78 MB.
// expect: levenberg_marquardt: the network has more parameters than MaxParameters allows
// expect: levenberg_marquardt_size_check<4420, 256>
#include <microprop/levenberg_marquardt.hpp>

using big = microprop::network<float, microprop::dense<64, 64>, microprop::tanh, microprop::dense<64, 4>>;

int main()
{
    static big net(1);
    static microprop::levenberg_marquardt<big> lm(net);
    return static_cast<int>(lm.last_attempts());
}
