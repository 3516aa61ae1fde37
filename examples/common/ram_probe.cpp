// Compiled (never linked) at configure time by examples/CMakeLists.txt to read
// an example's RAM need, as the text MICROPROP_RAM[<bytes>] in the object file,
// with the target's own compiler: sizeof() differs between cores.
#include MICROPROP_EXAMPLE_MODEL

#define MICROPROP_DIGIT(p) static_cast<char>('0' + (example_model::ram_bytes / (p)) % 10u)

extern const char microprop_example_ram_info[];
const char microprop_example_ram_info[] = {
    'M', 'I', 'C', 'R', 'O', 'P', 'R', 'O', 'P', '_', 'R', 'A', 'M', '[',
    MICROPROP_DIGIT(1000000000u), MICROPROP_DIGIT(100000000u), MICROPROP_DIGIT(10000000u),
    MICROPROP_DIGIT(1000000u), MICROPROP_DIGIT(100000u), MICROPROP_DIGIT(10000u),
    MICROPROP_DIGIT(1000u), MICROPROP_DIGIT(100u), MICROPROP_DIGIT(10u), MICROPROP_DIGIT(1u),
    ']', '\0'};
