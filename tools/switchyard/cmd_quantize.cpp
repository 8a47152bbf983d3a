// switchyard quantize: argument handling, the plan table and the progress bar. The work is
// core/quantize's (plan_quantization, write_quantized_model).
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "commands.hpp"
#include "common/error.hpp"
#include "gguf/gguf_model.hpp"
#include "imatrix/imatrix.hpp"
#include "quantize/file_types.hpp"
#include "quantize/quantize_model.hpp"
#include "quantize/quantize_plan.hpp"
#include "quantize_cli.hpp"
#include "text_format.hpp"
#include "types/type_registry.hpp"

namespace sy::cli {
namespace {

using namespace sy::quantize;

struct Positionals {
    std::string input;
    std::string output;
    FileType file_type;
    bool q4_x = false;  // TYPE was Q4_X: Q4_0 with symmetric scales
    int n_threads = 0;
};

std::optional<FileType> parse_type_argument(const std::string& text, bool& q4_x) {
    std::string upper = text;
    for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
    q4_x = upper == "Q4_X";
    return parse_file_type(q4_x ? "Q4_0" : text);
}

int parse_threads(const std::string& text) {
    int n = 0;
    const char* end = text.data() + text.size();
    if (auto [p, ec] = std::from_chars(text.data(), end, n); ec != std::errc() || p != end || n < 1 || n > 4096)
        throw Error("NTHREADS must be a number from 1 to 4096, got '" + text + "'");
    return n;
}

std::string file_type_names() {
    std::string out;
    for (const FileType& f : all_file_types()) out += std::string(f.name) + ", ";
    return out + "Q4_X";
}

std::string file_type_list() {
    std::string out;
    for (const FileType& f : all_file_types()) out += fmt::format("\n  {:>3}  {:<8} {}", f.ftype, f.name, f.summary);
    return out + "\n       Q4_X     Q4_0 with symmetric scales for INT4-trained models (as --symmetric-q40)";
}

// IN [OUT] TYPE [NTHREADS], read the way llama-quantize reads them: if the second argument
// is a file type, OUT defaults to "<dir of IN>/ggml-model-TYPE.gguf".
Positionals parse_positionals(const std::vector<std::string>& args) {
    if (args.size() < 2 || args.size() > 4)
        throw Error("expected IN.gguf [OUT.gguf] TYPE [NTHREADS], got " + std::to_string(args.size()) + " arguments");
    Positionals p;
    p.input = args[0];
    size_t next = 1;
    bool q4_x = false;
    if (auto ft = parse_type_argument(args[1], q4_x)) {
        p.file_type = *ft;
        const std::filesystem::path dir = std::filesystem::path(p.input).parent_path();
        p.output = (dir / ("ggml-model-" + std::string(q4_x ? "Q4_X" : ft->name) + ".gguf")).string();
        next = 2;
    } else {
        if (args.size() < 3) throw Error("'" + args[1] + "' is not a known type (known: " + file_type_names() + ")");
        p.output = args[1];
        auto type = parse_type_argument(args[2], q4_x);
        if (!type) throw Error("unknown type '" + args[2] + "' (known: " + file_type_names() + ")");
        p.file_type = *type;
        next = 3;
    }
    p.q4_x = q4_x;
    if (next < args.size()) p.n_threads = parse_threads(args[next++]);
    if (next != args.size()) throw Error("unexpected argument '" + args[next] + "'");
    return p;
}

std::optional<TensorType> parse_role_type(const std::string& text, const char* flag) {
    if (text.empty()) return std::nullopt;
    auto t = parse_tensor_type(text);
    if (!t) throw Error(std::string(flag) + ": unknown or unsupported type '" + text + "' (known: " + quantizable_type_names() + ")");
    return t;
}

uint64_t parse_size(const std::string& text) {
    uint64_t n = 0;
    const char* begin = text.data();
    const char* end = begin + text.size();
    auto [p, ec] = std::from_chars(begin, end, n);
    uint64_t unit = 1;
    if (ec == std::errc() && p + 1 == end) {
        switch (std::toupper(static_cast<unsigned char>(*p))) {
            case 'K': unit = 1ull << 10; break;
            case 'M': unit = 1ull << 20; break;
            case 'G': unit = 1ull << 30; break;
            default: unit = 0;
        }
        ++p;
    }
    if (ec != std::errc() || p != end || unit == 0 || n == 0 || n > (UINT64_MAX >> 30))
        throw Error("--split-max-size: expected a positive size such as 500M or 4G, got '" + text + "'");
    return n * unit;
}

// --include-weights / --exclude-weights narrow the imatrix by substring, as the anchor does.
Imatrix select_entries(Imatrix m, const QuantizeCliOptions& o) {
    auto mentions = [](const std::string& name, const std::vector<std::string>& parts) {
        return std::any_of(parts.begin(), parts.end(), [&](const std::string& p) { return name.find(p) != std::string::npos; });
    };
    std::erase_if(m.entries, [&](const ImatrixEntry& e) {
        if (!o.exclude_weights.empty() && mentions(e.name, o.exclude_weights)) return true;
        return !o.include_weights.empty() && !mentions(e.name, o.include_weights);
    });
    return m;
}

std::string shape_text(const gguf::TensorInfo& t) {
    std::string s = "[";
    for (uint32_t d = 0; d < t.n_dims; ++d) s += (d ? ", " : "") + std::to_string(t.ne[d]);
    return s + "]";
}

void print_plan(const QuantizePlan& plan, std::ostream& out) {
    size_t width = 0;
    for (const TensorPlan& p : plan.tensors) width = std::max(width, p.source->name.size());
    for (size_t i = 0; i < plan.tensors.size(); ++i) {
        const TensorPlan& p = plan.tensors[i];
        const gguf::TensorInfo& t = *p.source;
        std::string line = fmt::format("[{:>4}/{:>4}] {:<{}} {:<18} {:>7} -> {:<7} {:>11} -> {:<11}", i + 1,
                                       plan.tensors.size(), t.name, width, shape_text(t), type_name(t.type),
                                       std::string(tensor_type_name(p.target)), human_bytes(t.nbytes),
                                       human_bytes(p.target_bytes));
        line += (p.action == TensorAction::Copy && p.reason == "kept") ? "  copied" : "  " + p.reason;
        if (!p.fallback_from.empty())
            line += fmt::format("; rows of {} do not fit {}: fallback {}", t.ne[0], p.fallback_from,
                                tensor_type_name(p.target));
        if (!p.importance_entry.empty() && p.importance_entry != t.name) line += "; imatrix entry " + p.importance_entry;
        out << line << '\n';
    }
}

double bpw(uint64_t bytes, uint64_t elements) { return elements ? double(bytes) * 8.0 / double(elements) : 0.0; }

class ProgressBar {
public:
    explicit ProgressBar(bool enabled) : enabled_(enabled) {}
    void update(const Progress& p) {
        if (!enabled_) return;
        constexpr int kWidth = 40;
        const double frac = p.bytes_total ? double(p.bytes_done) / double(p.bytes_total) : 1.0;
        const int filled = int(frac * kWidth);
        std::string bar(size_t(filled), '=');
        bar.resize(kWidth, ' ');
        std::cerr << fmt::format("\r[{}] {:3.0f}%  {}/{} tensors", bar, frac * 100.0, p.tensor_index + 1, p.tensor_count)
                  << std::flush;
    }
    ~ProgressBar() {
        if (enabled_) std::cerr << '\n';
    }

private:
    bool enabled_;
};

}  // namespace

int run_quantize(const QuantizeCliOptions& o, std::ostream& out, std::ostream& err) {
    try {
        const auto t0 = std::chrono::steady_clock::now();
        const Positionals pos = parse_positionals(o.positionals);
        if (!o.include_weights.empty() && !o.exclude_weights.empty())
            throw Error("--include-weights and --exclude-weights cannot be used together");
        if ((!o.include_weights.empty() || !o.exclude_weights.empty()) && o.imatrix.empty())
            throw Error("--include-weights / --exclude-weights need --imatrix");
        if (std::filesystem::exists(pos.output) && std::filesystem::exists(pos.input) &&
            std::filesystem::equivalent(pos.output, pos.input))
            throw Error("the output file would overwrite the input '" + pos.input + "'");

        QuantizeOptions q;
        q.file_type = pos.file_type;
        for (const std::string& arg : o.custom_q) parse_custom_rules(arg, q.custom_rules);
        q.pure = o.pure;
        q.allow_requantize = o.allow_requantize;
        q.leave_output_tensor = o.leave_output_tensor;
        q.symmetric_q4_0 = o.symmetric_q40 || pos.q4_x;
        q.ignore_imatrix_rules = o.ignore_imatrix_rules;
        q.output_tensor_type = parse_role_type(o.output_tensor_type, "--output-tensor-type");
        q.token_embedding_type = parse_role_type(o.token_embedding_type, "--token-embedding-type");
        WriteOptions w;
        w.output_path = pos.output;
        w.n_threads = pos.n_threads > 0 ? pos.n_threads : int(std::max(1u, std::thread::hardware_concurrency()));
        w.keep_split = o.keep_split;
        w.file_type = pos.file_type.ftype;
        if (!o.split_max_size.empty()) w.split.max_bytes = parse_size(o.split_max_size);
        w.split.max_tensors = o.split_max_tensors;
        if (o.keep_split && (w.split.max_bytes || w.split.max_tensors))
            throw Error("--keep-split cannot be combined with --split-max-size / --split-max-tensors");

        std::optional<Imatrix> imatrix;
        if (!o.imatrix.empty()) {
            imatrix = select_entries(read_imatrix(o.imatrix), o);
            out << fmt::format("imatrix: {} entries from {} ({} format, {} chunks)\n", imatrix->entries.size(),
                               o.imatrix, imatrix->format, imatrix->chunk_count);
            q.importance = &*imatrix;
            const bool hide = o.hide_imatrix;
            w.extra_metadata.emplace_back("quantize.imatrix.file", gguf::Value::string(hide ? "top_secret" : o.imatrix));
            if (!imatrix->datasets.empty())
                w.extra_metadata.emplace_back("quantize.imatrix.dataset",
                                              gguf::Value::string(hide ? "top_secret" : imatrix->datasets.front()));
            w.extra_metadata.emplace_back("quantize.imatrix.entries_count",
                                          gguf::Value::scalar<int32_t>(hide ? 0 : int32_t(imatrix->entries.size())));
            if (imatrix->chunk_count > 0)
                w.extra_metadata.emplace_back("quantize.imatrix.chunks_count",
                                              gguf::Value::scalar<int32_t>(hide ? 0 : imatrix->chunk_count));
        }

        const gguf::GgufModel model = gguf::GgufModel::open(pos.input);
        const QuantizePlan plan = plan_quantization(model, q);
        out << fmt::format("quantizing '{}' to '{}' as {}{} using {} threads{}\n", pos.input, pos.output,
                           pos.file_type.name, q.symmetric_q4_0 ? " (symmetric Q4_0: Q4_X)" : "", w.n_threads,
                           o.dry_run ? " (dry run: nothing is written)" : "");
        print_plan(plan, out);
        for (const std::string& warning : plan.warnings) err << "switchyard: warning: " << warning << '\n';
        uint64_t elements = 0;
        for (const TensorPlan& p : plan.tensors) elements += uint64_t(p.source->n_elements());
        out << fmt::format("model size: {} ({:.2f} bpw)\nquant size: {} ({:.2f} bpw)\n", human_bytes(plan.source_bytes),
                           bpw(plan.source_bytes, elements), human_bytes(plan.target_bytes),
                           bpw(plan.target_bytes, elements));
        if (plan.n_fallbacks)
            out << fmt::format("{} of {} tensors used a fallback type (rows not a multiple of the block)\n",
                               plan.n_fallbacks, plan.tensors.size());
        if (o.dry_run) return 0;

        std::vector<std::string> written;
        {
            ProgressBar bar(o.progress && isatty(STDERR_FILENO));
            written = write_quantized_model(model, plan, w, [&bar](const Progress& p) { bar.update(p); });
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        for (const std::string& path : written) out << "wrote " << path << '\n';
        out << fmt::format("quantize time: {:.2f} s\n", seconds);
        return 0;
    } catch (const std::exception& e) {
        err << "switchyard: error: " << e.what() << '\n';
        return 1;
    }
}

void register_quantize(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<QuantizeCliOptions>();
    CLI::App* cmd = app.add_subcommand(
        "quantize", "quantize a GGUF model: switchyard quantize [options] IN.gguf [OUT.gguf] TYPE [NTHREADS]");
    cmd->footer("TYPE is a file type (a mix unless --pure):" + file_type_list());
    cmd->add_option("args", o->positionals,
                    "the model, the output (default: ggml-model-TYPE.gguf beside the model), the file type, "
                    "the thread count")
        ->required()
        ->expected(2, 4)
        ->type_name("IN.gguf [OUT.gguf] TYPE [NTHREADS]");
    cmd->add_option("--custom-q", o->custom_q, "\"REGEX=TYPE,...\": per-tensor types, first match wins (repeatable)")
        ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    cmd->add_option("--imatrix", o->imatrix, "importance matrix (.dat or GGUF)");
    cmd->add_option("--include-weights", o->include_weights, "use the imatrix only for tensors containing NAME")
        ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    cmd->add_option("--exclude-weights", o->exclude_weights, "do not use the imatrix for tensors containing NAME")
        ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    cmd->add_option("--output-tensor-type", o->output_tensor_type, "type of output.weight");
    cmd->add_option("--token-embedding-type", o->token_embedding_type, "type of token_embd.weight");
    cmd->add_flag("--pure", o->pure, "every tensor in TYPE's default type (no mix adjustments)");
    cmd->add_flag("--allow-requantize", o->allow_requantize, "allow quantizing tensors that are already quantized");
    cmd->add_flag("--leave-output-tensor", o->leave_output_tensor, "copy output.weight unchanged");
    cmd->add_flag("--symmetric-q40", o->symmetric_q40, "Q4_0 with scales amax/7, levels -7..7 (Q4_X; no imatrix)");
    cmd->add_flag("--dry-run", o->dry_run, "print the types and sizes, write nothing");
    cmd->add_flag("--keep-split", o->keep_split, "write the same shards as the input");
    cmd->add_option("--split-max-size", o->split_max_size, "split the output into shards of at most N bytes (e.g. 4G)");
    cmd->add_option("--split-max-tensors", o->split_max_tensors, "split the output into shards of at most N tensors");
    cmd->add_flag("--hide-imatrix", o->hide_imatrix, "do not record the imatrix file and dataset names");
    cmd->add_flag("--ignore-imatrix-rules", o->ignore_imatrix_rules,
                  "allow very-low-bit types (IQ1/IQ2, *_KT) without an imatrix");
    cmd->add_flag_callback("--no-progress", [o] { o->progress = false; }, "no progress bar");
    cmd->callback([o, &exit_code] { exit_code = run_quantize(*o, std::cout, std::cerr); });
}

}  // namespace sy::cli
