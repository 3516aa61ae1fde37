// SVG figures of the examples, written on the host only.
//
// On the host (examples/CMakeLists.txt defines MICROPROP_EXAMPLE_FIGURES=1 when not
// cross-compiling) an example writes `<file name>.svg` into the directory named by the
// environment variable MICROPROP_FIGURES, when it is set. On a device these calls compile to
// nothing and the console lines stay the only output; examples/tools/log_to_svg.py draws the
// same training-curve figure from such a console log.
//
// The writer allocates nothing itself: it streams the SVG text through std::fprintf (the C
// library's FILE buffer is the only memory involved). Charts are line charts with linear or
// base-10 logarithmic y axes, ticks at 1-2-5 steps (decades on a log axis), stacked vertically.
#ifndef MICROPROP_EXAMPLES_FIGURE_HPP
#define MICROPROP_EXAMPLES_FIGURE_HPP

#include <cstddef>

#if defined(MICROPROP_EXAMPLE_FIGURES) && MICROPROP_EXAMPLE_FIGURES
#include <cmath>
#include <cstdio>
#include <cstdlib>
#endif

namespace example {

/// One line of a chart: `count` points (x[k], y[k]).
struct series {
    const char* name;
    const float* x;
    const float* y;
    std::size_t count;
};

/// One chart: axes, labels and lines.
struct panel {
    const char* title;
    const char* x_label;
    const char* y_label;
    const series* lines;
    std::size_t line_count;
    bool log_y;  ///< base-10 logarithmic y axis (non-positive values are left out)
};

#if defined(MICROPROP_EXAMPLE_FIGURES) && MICROPROP_EXAMPLE_FIGURES

namespace figure_detail {

constexpr double width = 640.0;
constexpr double panel_height = 280.0;
constexpr double left = 78.0;
constexpr double right = 150.0;
constexpr double top = 34.0;
constexpr double bottom = 50.0;
constexpr const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

struct axis {
    double low;
    double high;
    double step;  ///< tick spacing in axis units (log10 units on a log axis)
};

/// A range widened to whole multiples of a 1-2-5 step, about five ticks.
inline axis nice_axis(double low, double high)
{
    if (!(high > low)) {
        const double pad = low == 0.0 ? 1.0 : std::fabs(low) * 0.1;
        low -= pad;
        high += pad;
    }
    const double raw = (high - low) / 5.0;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double fraction = raw / magnitude;
    const double step = (fraction <= 1.0 ? 1.0 : fraction <= 2.0 ? 2.0 : fraction <= 5.0 ? 5.0 : 10.0) * magnitude;
    return axis{std::floor(low / step + 1e-9) * step, std::ceil(high / step - 1e-9) * step, step};
}

inline void text(std::FILE* f, double x, double y, const char* anchor, const char* extra, const char* s)
{
    std::fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>%s</text>\n", x, y, anchor, extra, s);
}

inline void write_panel(std::FILE* f, const panel& p, double y0)
{
    // Data range (log10 of y on a log axis).
    double x_low = HUGE_VAL, x_high = -HUGE_VAL, y_low = HUGE_VAL, y_high = -HUGE_VAL;
    for (std::size_t s = 0; s < p.line_count; ++s) {
        for (std::size_t k = 0; k < p.lines[s].count; ++k) {
            const double x = p.lines[s].x[k];
            double y = p.lines[s].y[k];
            if (p.log_y) {
                if (!(y > 0.0)) continue;
                y = std::log10(y);
            }
            if (!std::isfinite(x) || !std::isfinite(y)) continue;
            x_low = x < x_low ? x : x_low;
            x_high = x > x_high ? x : x_high;
            y_low = y < y_low ? y : y_low;
            y_high = y > y_high ? y : y_high;
        }
    }
    if (x_low > x_high) x_low = 0.0, x_high = 1.0, y_low = 0.0, y_high = 1.0;
    const axis ax = nice_axis(x_low, x_high);
    axis ay = p.log_y ? axis{std::floor(y_low), std::ceil(y_high), 1.0} : nice_axis(y_low, y_high);
    if (p.log_y && ay.high <= ay.low) ay.high = ay.low + 1.0;
    const double plot_w = width - left - right;
    const double plot_h = panel_height - top - bottom;
    const double px0 = left;
    const double py0 = y0 + top;
    auto sx = [&](double x) { return px0 + (x - ax.low) / (ax.high - ax.low) * plot_w; };
    auto sy = [&](double y) { return py0 + plot_h - (y - ay.low) / (ay.high - ay.low) * plot_h; };

    text(f, px0 + plot_w / 2, y0 + 20, "middle", " font-size=\"15\" font-weight=\"bold\"", p.title);
    std::fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#000\"/>\n",
                 px0, py0, plot_w, plot_h);
    char label[32];
    for (double t = ax.low; t <= ax.high + ax.step * 1e-6; t += ax.step) {
        const double x = sx(t);
        std::fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", x, py0, x,
                     py0 + plot_h);
        std::snprintf(label, sizeof label, "%g", std::fabs(t) < ax.step * 1e-6 ? 0.0 : t);
        text(f, x, py0 + plot_h + 16, "middle", "", label);
    }
    for (double t = ay.low; t <= ay.high + ay.step * 1e-6; t += ay.step) {
        const double y = sy(t);
        std::fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", px0, y,
                     px0 + plot_w, y);
        if (p.log_y) {
            std::snprintf(label, sizeof label, "1e%d", static_cast<int>(std::lround(t)));
        } else {
            std::snprintf(label, sizeof label, "%g", std::fabs(t) < ay.step * 1e-6 ? 0.0 : t);
        }
        text(f, px0 - 6, y + 4, "end", "", label);
    }
    text(f, px0 + plot_w / 2, py0 + plot_h + 36, "middle", "", p.x_label);
    std::fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>\n",
                 px0 - 52, py0 + plot_h / 2, p.y_label);

    for (std::size_t s = 0; s < p.line_count; ++s) {
        const char* color = colors[s % (sizeof colors / sizeof colors[0])];
        std::fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", color);
        for (std::size_t k = 0; k < p.lines[s].count; ++k) {
            double y = p.lines[s].y[k];
            if (p.log_y) {
                if (!(y > 0.0)) continue;
                y = std::log10(y);
            }
            std::fprintf(f, "%.1f,%.1f ", sx(p.lines[s].x[k]), sy(y));
        }
        std::fprintf(f, "\"/>\n");
        const double ly = py0 + 14 + 20.0 * static_cast<double>(s);
        std::fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                     px0 + plot_w + 12, ly - 4, px0 + plot_w + 36, ly - 4, color);
        text(f, px0 + plot_w + 42, ly, "start", "", p.lines[s].name);
    }
}

}  // namespace figure_detail

/// Writes `panels` stacked vertically under `title` as $MICROPROP_FIGURES/<file_name>.svg.
/// Returns true when written, false when MICROPROP_FIGURES is unset or the file cannot be
/// written.
inline bool write_figure(const char* file_name, const char* title, const panel* panels, std::size_t panel_count)
{
    const char* dir = std::getenv("MICROPROP_FIGURES");
    if (dir == nullptr || dir[0] == '\0') return false;
    char path[512];
    std::snprintf(path, sizeof path, "%s/%s.svg", dir, file_name);
    std::FILE* f = std::fopen(path, "w");
    if (f == nullptr) return false;
    using namespace figure_detail;
    const double height = 30.0 + panel_height * static_cast<double>(panel_count);
    std::fprintf(f,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                 "font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n"
                 "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
                 width, height, width, height);
    text(f, width / 2, 22, "middle", " font-size=\"17\" font-weight=\"bold\"", title);
    for (std::size_t k = 0; k < panel_count; ++k) write_panel(f, panels[k], 30.0 + panel_height * static_cast<double>(k));
    std::fprintf(f, "</svg>\n");
    const bool ok = std::ferror(f) == 0;
    return std::fclose(f) == 0 && ok;
}

/// The ROC curve of `count` scores (a sample is flagged when its score is at least the
/// threshold; `is_positive(k)` says whether sample k is a true positive), with the chance
/// diagonal, as $MICROPROP_FIGURES/<file_name>.svg. MaxCount bounds count (static storage
/// for the curve's points, host only).
template <std::size_t MaxCount, class IsPositive>
bool write_roc(const char* file_name, const char* title, const float* scores, std::size_t count,
               IsPositive&& is_positive)
{
    static float fpr[MaxCount + 1];
    static float tpr[MaxCount + 1];
    count = count < MaxCount ? count : MaxCount;
    std::size_t positives = 0;
    for (std::size_t k = 0; k < count; ++k) positives += is_positive(k) ? 1u : 0u;
    const std::size_t negatives = count - positives;
    if (positives == 0 || negatives == 0) return false;
    fpr[0] = 0.0f;
    tpr[0] = 0.0f;
    for (std::size_t i = 0; i < count; ++i) {
        std::size_t tp = 0, fp = 0;
        for (std::size_t k = 0; k < count; ++k) {
            if (scores[k] < scores[i]) continue;
            (is_positive(k) ? tp : fp) += 1;
        }
        fpr[i + 1] = static_cast<float>(fp) / static_cast<float>(negatives);
        tpr[i + 1] = static_cast<float>(tp) / static_cast<float>(positives);
    }
    // Insertion sort by (false positive rate, true positive rate): the curve from (0, 0) to (1, 1).
    for (std::size_t i = 1; i <= count; ++i) {
        const float f = fpr[i], t = tpr[i];
        std::size_t j = i;
        for (; j > 0 && (fpr[j - 1] > f || (fpr[j - 1] == f && tpr[j - 1] > t)); --j) {
            fpr[j] = fpr[j - 1];
            tpr[j] = tpr[j - 1];
        }
        fpr[j] = f;
        tpr[j] = t;
    }
    static const float diagonal[2] = {0.0f, 1.0f};
    const series lines[] = {{"detector", fpr, tpr, count + 1}, {"chance", diagonal, diagonal, 2}};
    const panel roc = {"ROC curve", "false positive rate", "true positive rate", lines, 2, false};
    return write_figure(file_name, title, &roc, 1);
}

#else

inline bool write_figure(const char*, const char*, const panel*, std::size_t) { return false; }

template <std::size_t MaxCount, class IsPositive>
bool write_roc(const char*, const char*, const float*, std::size_t, IsPositive&&)
{
    return false;
}

#endif

/// Loss and accuracy per epoch, kept on the host only (no RAM on a device), and their figure:
/// training loss on a log axis above training and test accuracy.
template <std::size_t MaxEpochs>
class training_curve {
public:
    void add(int epoch, float loss, float train_accuracy, float test_accuracy)
    {
#if defined(MICROPROP_EXAMPLE_FIGURES) && MICROPROP_EXAMPLE_FIGURES
        if (count_ == MaxEpochs) return;
        epoch_[count_] = static_cast<float>(epoch);
        loss_[count_] = loss;
        train_[count_] = train_accuracy;
        test_[count_] = test_accuracy;
        ++count_;
#else
        (void)epoch, (void)loss, (void)train_accuracy, (void)test_accuracy;
#endif
    }

    /// Writes $MICROPROP_FIGURES/<file_name>.svg (host only); see write_figure().
    bool write(const char* file_name, const char* title) const
    {
#if defined(MICROPROP_EXAMPLE_FIGURES) && MICROPROP_EXAMPLE_FIGURES
        const series loss[] = {{"training", epoch_, loss_, count_}};
        const series accuracy[] = {{"training", epoch_, train_, count_}, {"test", epoch_, test_, count_}};
        const panel panels[] = {{"Loss per epoch", "epoch", "mean loss (log scale)", loss, 1, true},
                                {"Accuracy per epoch", "epoch", "accuracy", accuracy, 2, false}};
        return write_figure(file_name, title, panels, 2);
#else
        (void)file_name, (void)title;
        return false;
#endif
    }

private:
#if defined(MICROPROP_EXAMPLE_FIGURES) && MICROPROP_EXAMPLE_FIGURES
    float epoch_[MaxEpochs] = {};
    float loss_[MaxEpochs] = {};
    float train_[MaxEpochs] = {};
    float test_[MaxEpochs] = {};
    std::size_t count_ = 0;
#endif
};

}  // namespace example

#endif
