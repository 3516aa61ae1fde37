// microtest: a heap-free, gtest-like test harness.
//
// The same test sources build for the host and for bare-metal Cortex-M images,
// so the harness uses no heap, no exceptions and no iostream: tests register
// themselves in a static intrusive list, results go out through the port's
// console, and the exit status is the number of failed tests (capped at 1).
#ifndef MICROTEST_HPP
#define MICROTEST_HPP

#include <stddef.h>
#include <type_traits>

#include "console.hpp"

namespace microtest {

struct test_case {
    const char* suite;
    const char* name;
    void (*body)();
    test_case* next;
};

struct registry {
    test_case* first = nullptr;
    test_case* last = nullptr;
    bool current_failed = false;
    unsigned assertions = 0;
};

inline registry& tests()
{
    static registry r;
    return r;
}

struct registrar {
    explicit registrar(test_case& t)
    {
        registry& r = tests();
        if (r.last) r.last->next = &t; else r.first = &t;
        r.last = &t;
    }
};

template <class T>
void print_value(const T& v)
{
    if constexpr (std::is_enum_v<T>) {
        console::print_one(static_cast<long long>(v));
    } else if constexpr (std::is_same_v<T, bool>) {
        console::print_one(v);
    } else if constexpr (std::is_floating_point_v<T>) {
        console::write_sci(static_cast<double>(v), 9);
    } else if constexpr (std::is_integral_v<T>) {
        if constexpr (std::is_signed_v<T>) console::write_signed(static_cast<long long>(v));
        else console::write_unsigned(static_cast<unsigned long long>(v));
    } else if constexpr (std::is_pointer_v<T>) {
        console::write("(pointer)");
    } else {
        console::write("(value)");
    }
}

inline void fail_location(const char* file, int line)
{
    tests().current_failed = true;
    console::print("  ", file, ":", line, ": ");
}

// Each operand is evaluated exactly once: assertions often wrap calls with side
// effects, e.g. ASSERT_EQ(trainer.train_sample(x, d), status::ok).
template <class Compare, class A, class B>
bool check_binary(Compare compare, const char* file, int line, const char* text_a, const char* op,
                  const char* text_b, const A& a, const B& b)
{
    ++tests().assertions;
    if (compare(a, b)) return true;
    fail_location(file, line);
    console::print("expected ", text_a, " ", op, " ", text_b, "\n    left:  ");
    print_value(a);
    console::write("\n    right: ");
    print_value(b);
    console::write("\n");
    return false;
}

template <class A, class B, class C>
bool check_near(const char* file, int line, const char* text_a, const char* text_b, const A& a,
                const B& b, const C& tolerance)
{
    ++tests().assertions;
    const double da = static_cast<double>(a);
    const double db = static_cast<double>(b);
    const double diff = da > db ? da - db : db - da;
    if (diff <= static_cast<double>(tolerance)) return true;  // false for NaN as well
    fail_location(file, line);
    console::print("|", text_a, " - ", text_b, "| <= ", console::sci{static_cast<double>(tolerance), 3},
                   " failed\n    left:  ");
    print_value(da);
    console::write("\n    right: ");
    print_value(db);
    console::write("\n    diff:  ");
    print_value(diff);
    console::write("\n");
    return false;
}

inline bool check_bool(bool ok, const char* file, int line, const char* text, bool expected)
{
    ++tests().assertions;
    if (ok == expected) return true;
    fail_location(file, line);
    console::print("expected ", text, " to be ", expected ? "true" : "false", "\n");
    return false;
}

/// Runs every registered test; returns the number that failed.
inline int run_all()
{
    registry& r = tests();
    int passed = 0;
    int failed = 0;
    for (test_case* t = r.first; t != nullptr; t = t->next) {
        console::print("[ RUN      ] ", t->suite, ".", t->name, "\n");
        r.current_failed = false;
        t->body();
        if (r.current_failed) {
            ++failed;
            console::print("[  FAILED  ] ", t->suite, ".", t->name, "\n");
        } else {
            ++passed;
            console::print("[       OK ] ", t->suite, ".", t->name, "\n");
        }
    }
    console::print(passed, " passed, ", failed, " failed\n");
    return failed;
}

}  // namespace microtest

#define MICROTEST_CONCAT_(a, b) a##b
#define MICROTEST_CONCAT(a, b) MICROTEST_CONCAT_(a, b)

#define TEST(suite, name)                                                                       \
    static void MICROTEST_CONCAT(suite##_##name, _body)();                                      \
    static ::microtest::test_case MICROTEST_CONCAT(suite##_##name, _case){                      \
        #suite, #name, &MICROTEST_CONCAT(suite##_##name, _body), nullptr};                      \
    static const ::microtest::registrar MICROTEST_CONCAT(suite##_##name, _registrar){           \
        MICROTEST_CONCAT(suite##_##name, _case)};                                               \
    static void MICROTEST_CONCAT(suite##_##name, _body)()

#define MICROTEST_BINARY_(a, op, b)                                                             \
    ::microtest::check_binary([](const auto& l, const auto& r) { return l op r; }, __FILE__,   \
                              __LINE__, #a, #op, #b, (a), (b))

#define EXPECT_EQ(a, b) (void)MICROTEST_BINARY_(a, ==, b)
#define EXPECT_NE(a, b) (void)MICROTEST_BINARY_(a, !=, b)
#define EXPECT_LT(a, b) (void)MICROTEST_BINARY_(a, <, b)
#define EXPECT_LE(a, b) (void)MICROTEST_BINARY_(a, <=, b)
#define EXPECT_GT(a, b) (void)MICROTEST_BINARY_(a, >, b)
#define EXPECT_GE(a, b) (void)MICROTEST_BINARY_(a, >=, b)
#define EXPECT_TRUE(c) (void)::microtest::check_bool(static_cast<bool>(c), __FILE__, __LINE__, #c, true)
#define EXPECT_FALSE(c) (void)::microtest::check_bool(static_cast<bool>(c), __FILE__, __LINE__, #c, false)
#define EXPECT_NEAR(a, b, tol) (void)::microtest::check_near(__FILE__, __LINE__, #a, #b, (a), (b), (tol))

#define ASSERT_EQ(a, b) do { if (!MICROTEST_BINARY_(a, ==, b)) return; } while (0)
#define ASSERT_NE(a, b) do { if (!MICROTEST_BINARY_(a, !=, b)) return; } while (0)
#define ASSERT_LT(a, b) do { if (!MICROTEST_BINARY_(a, <, b)) return; } while (0)
#define ASSERT_LE(a, b) do { if (!MICROTEST_BINARY_(a, <=, b)) return; } while (0)
#define ASSERT_GT(a, b) do { if (!MICROTEST_BINARY_(a, >, b)) return; } while (0)
#define ASSERT_GE(a, b) do { if (!MICROTEST_BINARY_(a, >=, b)) return; } while (0)
#define ASSERT_TRUE(c) do { if (!::microtest::check_bool(static_cast<bool>(c), __FILE__, __LINE__, #c, true)) return; } while (0)
#define ASSERT_FALSE(c) do { if (!::microtest::check_bool(static_cast<bool>(c), __FILE__, __LINE__, #c, false)) return; } while (0)
#define ASSERT_NEAR(a, b, tol) do { if (!::microtest::check_near(__FILE__, __LINE__, #a, #b, (a), (b), (tol))) return; } while (0)

#endif
