#include "runtime/kl_divergence_stats.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "common/error.hpp"

namespace sy::runtime::kld {

static_assert(std::endian::native == std::endian::little,
              "the base file is little-endian and is read and written as raw memory");

namespace {

constexpr int64_t kHeaderWords = 4;              // two floats at the start of every row
constexpr float kLogProbWindow = 24.0f;          // nats below the top logit that get counts
constexpr float kMaxCount = 65535.0f;
constexpr float kNegligibleLogProb = -16.0f;     // base terms below e^-16 are left out of the KLD
constexpr uint64_t kFileHeaderBytes = 8 + 3 * sizeof(int32_t);

// Round half to even under the default rounding mode, the reference's rounding; clamped
// because the top logit can land a hair above 65535 after the float division.
uint16_t to_count(float scaled) {
    const float rounded = std::nearbyint(scaled);
    if (!(rounded > 0.0f)) return 0;
    if (rounded >= kMaxCount) return uint16_t(65535);
    return static_cast<uint16_t>(rounded);
}

// a * b, or false when it does not fit in 64 bits (sizes read from an untrusted file).
bool checked_mul(uint64_t a, uint64_t b, uint64_t& out) { return !__builtin_mul_overflow(a, b, &out); }
bool checked_add(uint64_t a, uint64_t b, uint64_t& out) { return !__builtin_add_overflow(a, b, &out); }

}  // namespace

int64_t row_words(int64_t n_vocab) { return 2 * ((n_vocab + 1) / 2) + kHeaderWords; }

int64_t scored_per_chunk(int64_t n_ctx) { return n_ctx - 1 - n_ctx / 2; }

double compress_log_probs(std::span<const float> logits, int32_t token, std::span<uint16_t> row) {
    const size_t n_vocab = logits.size();
    if (n_vocab == 0 || row.size() != size_t(row_words(int64_t(n_vocab))) || token < 0 || size_t(token) >= n_vocab) {
        throw Error(fmt::format("compress_log_probs: {} logits, {} row words, token {} do not fit together", n_vocab,
                                row.size(), token));
    }
    float top = logits[0];
    float bottom = logits[0];
    for (size_t i = 1; i < n_vocab; ++i) {
        top = std::max(top, logits[i]);
        bottom = std::min(bottom, logits[i]);
    }
    bottom = std::max(bottom, top - kLogProbWindow);
    double sum_exp = 0.0;
    for (float v : logits) sum_exp += double(std::exp(v - top));
    const float log_sum_exp = float(std::log(sum_exp));
    const float min_log_prob = bottom - top - log_sum_exp;
    const float scale = (top - bottom) / kMaxCount;

    std::memcpy(row.data(), &scale, sizeof(float));
    std::memcpy(row.data() + 2, &min_log_prob, sizeof(float));
    const std::span<uint16_t> counts = row.subspan(size_t(kHeaderWords));
    if (scale != 0.0f) {
        const float inv_scale = 1.0f / scale;
        for (size_t i = 0; i < n_vocab; ++i) {
            counts[i] = logits[i] > bottom ? to_count(inv_scale * (logits[i] - bottom)) : uint16_t(0);
        }
    } else {
        std::fill_n(counts.begin(), n_vocab, uint16_t(0));
    }
    std::fill(counts.begin() + std::ptrdiff_t(n_vocab), counts.end(), uint16_t(0));  // odd n_vocab: padding
    const float nll = top + log_sum_exp - logits[size_t(token)];
    return double(nll);
}

RowScale row_scale(std::span<const uint16_t> row) {
    RowScale s;
    std::memcpy(&s.scale, row.data(), sizeof(float));
    std::memcpy(&s.min_log_prob, row.data() + 2, sizeof(float));
    return s;
}

float stored_log_prob(std::span<const uint16_t> row, int64_t index) {
    const RowScale s = row_scale(row);
    return s.scale * float(row[size_t(kHeaderWords + index)]) + s.min_log_prob;
}

TokenComparison compare_with_base(std::span<const float> logits, std::span<const uint16_t> base_row, int32_t token,
                                  KldSums& sums) {
    const size_t n_vocab = logits.size();
    if (n_vocab == 0 || base_row.size() != size_t(row_words(int64_t(n_vocab))) || token < 0 ||
        size_t(token) >= n_vocab) {
        throw Error(fmt::format("compare_with_base: {} logits, {} row words, token {} do not fit together", n_vocab,
                                base_row.size(), token));
    }
    float top = logits[0];
    size_t top_index = 0;
    for (size_t i = 1; i < n_vocab; ++i) {
        if (logits[i] > top) {
            top = logits[i];
            top_index = i;
        }
    }
    double sum_exp = 0.0;
    for (float v : logits) sum_exp += double(std::exp(v - top));
    const float log_sum_exp = float(std::log(sum_exp));
    const RowScale base = row_scale(base_row);
    const std::span<const uint16_t> counts = base_row.subspan(size_t(kHeaderWords), n_vocab);

    const float nll = top + log_sum_exp - logits[size_t(token)];
    const float nll_base = -(base.scale * float(counts[size_t(token)]) + base.min_log_prob);
    sums.nll += double(nll);
    sums.nll2 += double(nll * nll);
    sums.nll_base += double(nll_base);
    sums.nll_base2 += double(nll_base * nll_base);
    sums.nll_nll_base += double(nll * nll_base);

    // log q[i] = logits[i] - log_norm
    const float log_norm = top + log_sum_exp;
    double kld = 0.0;
    size_t base_top_index = 0;
    float base_top = 0.0f;
    for (size_t i = 0; i < n_vocab; ++i) {
        const float log_p_base = base.scale * float(counts[i]) + base.min_log_prob;
        if (i == 0 || log_p_base > base_top) {
            base_top = log_p_base;
            base_top_index = i;
        }
        if (log_p_base > kNegligibleLogProb) {
            const float p_base = std::exp(log_p_base);
            kld += double(p_base * (log_p_base - logits[i] + log_norm));
        }
    }
    sums.kld += kld;
    sums.kld2 += kld * kld;
    ++sums.count;
    if (top_index == base_top_index) ++sums.same_top;

    const float p_diff = std::exp(-nll) - std::exp(-nll_base);
    const double p_diff2 = double(p_diff * p_diff);
    sums.p_diff += double(p_diff);
    sums.p_diff2 += p_diff2;
    sums.p_diff4 += p_diff2 * p_diff2;
    sums.max_abs_p_diff = std::max(sums.max_abs_p_diff, std::fabs(p_diff));
    return {kld, p_diff};
}

void merge_sums(KldSums& into, const KldSums& part) {
    into.nll += part.nll;
    into.nll2 += part.nll2;
    into.nll_base += part.nll_base;
    into.nll_base2 += part.nll_base2;
    into.nll_nll_base += part.nll_nll_base;
    into.kld += part.kld;
    into.kld2 += part.kld2;
    into.p_diff += part.p_diff;
    into.p_diff2 += part.p_diff2;
    into.p_diff4 += part.p_diff4;
    into.max_abs_p_diff = std::max(into.max_abs_p_diff, part.max_abs_p_diff);
    into.same_top += part.same_top;
    into.count += part.count;
}

Estimate mean_and_error(double sum, double sum2, uint64_t count) {
    if (count < 1) return {};
    const double n = double(count);
    const double mean = sum / n;
    const double var = sum2 / n - mean * mean;
    return {mean, var > 0.0 && count > 10 ? std::sqrt(var / (n - 1.0)) : 0.0};
}

double covariance_of_means(double sum_a, double sum_b, double sum_ab, uint64_t count) {
    if (count < 10) return 0.0;
    const double n = double(count);
    return (sum_ab / n - (sum_a / n) * (sum_b / n)) / (n - 1.0);
}

float percentile(std::span<const float> sorted, float fraction) {
    if (sorted.empty()) throw Error("percentile of an empty list");
    if (fraction <= 0.0f) return sorted.front();
    if (fraction >= 1.0f) return sorted.back();
    float position = fraction * float(sorted.size() - 1);
    const size_t below = size_t(position);
    position -= float(below);
    const size_t above = std::min(below + 1, sorted.size() - 1);
    return (1.0f - position) * sorted[below] + position * sorted[above];
}

float median(std::span<const float> sorted) {
    if (sorted.empty()) throw Error("median of an empty list");
    const size_t half = sorted.size() / 2;
    return sorted.size() % 2 == 0 ? 0.5f * (sorted[half] + sorted[half - 1]) : sorted[half];
}

namespace {

Estimate exp_of(const Estimate& log_value) {
    const double v = std::exp(log_value.value);
    return {v, v * log_value.error};  // d exp(x) = exp(x) dx
}

Estimate ln_ratio(const Estimate& ln_q, const Estimate& ln_base, double cov) {
    return {ln_q.value - ln_base.value,
            std::sqrt(ln_q.error * ln_q.error + ln_base.error * ln_base.error - 2.0 * cov)};
}

Estimate rms_of(const KldSums& s) {
    const Estimate mse = mean_and_error(s.p_diff2, s.p_diff4, s.count);
    const double rms = std::sqrt(mse.value);
    return {rms, 0.5 / rms * mse.error};  // d sqrt(x) = dx / (2 sqrt(x))
}

Estimate same_top_of(const KldSums& s) {
    const double p = double(s.same_top) / double(s.count);
    return {p, std::sqrt(p * (1.0 - p) / double(s.count - 1))};
}

}  // namespace

ChunkFigures chunk_figures(const KldSums& s) {
    ChunkFigures f;
    const Estimate ln_q = mean_and_error(s.nll, s.nll2, s.count);
    const Estimate ln_base = mean_and_error(s.nll_base, s.nll_base2, s.count);
    f.ppl = exp_of(ln_q);
    f.ln_ppl_ratio = ln_ratio(ln_q, ln_base, covariance_of_means(s.nll, s.nll_base, s.nll_nll_base, s.count));
    f.kld = mean_and_error(s.kld, s.kld2, s.count);
    f.rms_p_diff = rms_of(s);
    f.same_top = same_top_of(s);
    return f;
}

KldSummary summarize(const KldSums& s, std::span<const float> k, std::span<const float> d) {
    KldSummary r;
    const Estimate ln_q = mean_and_error(s.nll, s.nll2, s.count);
    const Estimate ln_base = mean_and_error(s.nll_base, s.nll_base2, s.count);
    const double cov = covariance_of_means(s.nll, s.nll_base, s.nll_nll_base, s.count);
    r.ppl = exp_of(ln_q);
    r.ppl_base = exp_of(ln_base);
    r.ln_ppl_correlation = cov / (ln_q.error * ln_base.error);
    r.ln_ppl_ratio = ln_ratio(ln_q, ln_base, cov);
    r.ppl_ratio = exp_of(r.ln_ppl_ratio);
    // Covariance of the two PPLs from that of their logs: d exp(a) d exp(b) = e^a e^b da db.
    const double ppl_cov = r.ppl.value * r.ppl_base.value * cov;
    r.ppl_difference = {r.ppl.value - r.ppl_base.value,
                        std::sqrt(r.ppl.error * r.ppl.error + r.ppl_base.error * r.ppl_base.error - 2.0 * ppl_cov)};

    r.kld = mean_and_error(s.kld, s.kld2, s.count);
    r.kld_max = k.back();
    r.kld_999 = percentile(k, 0.999f);
    r.kld_990 = percentile(k, 0.990f);
    r.kld_950 = percentile(k, 0.950f);
    r.kld_900 = percentile(k, 0.900f);
    r.kld_median = median(k);
    r.kld_100 = percentile(k, 0.100f);
    r.kld_050 = percentile(k, 0.050f);
    r.kld_010 = percentile(k, 0.010f);
    r.kld_001 = percentile(k, 0.001f);
    r.kld_min = k.front();

    r.p_diff = mean_and_error(s.p_diff, s.p_diff2, s.count);
    r.p_diff_max = d.back();
    r.p_diff_999 = percentile(d, 0.999f);
    r.p_diff_990 = percentile(d, 0.990f);
    r.p_diff_950 = percentile(d, 0.950f);
    r.p_diff_900 = percentile(d, 0.900f);
    r.p_diff_750 = percentile(d, 0.750f);
    r.p_diff_median = median(d);
    r.p_diff_250 = percentile(d, 0.250f);
    r.p_diff_100 = percentile(d, 0.100f);
    r.p_diff_050 = percentile(d, 0.050f);
    r.p_diff_010 = percentile(d, 0.010f);
    r.p_diff_001 = percentile(d, 0.001f);
    r.p_diff_min = d.front();
    r.rms_p_diff = rms_of(s);
    r.same_top = same_top_of(s);
    return r;
}

// ---- base file: writer ----

BaseFileWriter::BaseFileWriter(const std::string& path, const BaseFileHeader& header, std::span<const int32_t> tokens)
    : path_(path), header_(header) {
    const size_t n_tokens = size_t(header.n_chunk) * size_t(header.n_ctx);
    if (header.n_ctx < 4 || header.n_vocab < 1 || header.n_chunk < 1 || tokens.size() < n_tokens) {
        throw Error(fmt::format("{}: cannot write a base file for n_ctx={}, n_vocab={}, n_chunk={} from {} tokens",
                                path, header.n_ctx, header.n_vocab, header.n_chunk, tokens.size()));
    }
    out_.open(path, std::ios::binary | std::ios::trunc);
    if (!out_) throw Error(fmt::format("{}: cannot open the KL-divergence base file for writing", path));
    out_.write(kBaseFileMagic, sizeof(kBaseFileMagic));
    out_.write(reinterpret_cast<const char*>(&header.n_ctx), sizeof(int32_t));
    out_.write(reinterpret_cast<const char*>(&header.n_vocab), sizeof(int32_t));
    out_.write(reinterpret_cast<const char*>(&header.n_chunk), sizeof(int32_t));
    out_.write(reinterpret_cast<const char*>(tokens.data()), std::streamsize(n_tokens * sizeof(int32_t)));
    check_stream("header and tokens");
}

void BaseFileWriter::append_chunk(std::span<const uint16_t> rows) {
    const size_t expected = size_t(scored_per_chunk(header_.n_ctx)) * size_t(row_words(header_.n_vocab));
    if (rows.size() != expected) {
        throw Error(fmt::format("{}: a chunk has {} words of log-probabilities, expected {}", path_, rows.size(),
                                expected));
    }
    out_.write(reinterpret_cast<const char*>(rows.data()), std::streamsize(rows.size() * sizeof(uint16_t)));
    check_stream("log-probabilities");
}

void BaseFileWriter::finish() {
    out_.flush();
    check_stream("end of the file");
    out_.close();
    if (out_.fail()) throw Error(fmt::format("{}: closing the KL-divergence base file failed", path_));
}

void BaseFileWriter::check_stream(const char* what) {
    if (!out_) throw Error(fmt::format("{}: writing the {} failed (is the disk full?)", path_, what));
}

// ---- base file: reader ----

BaseFileReader::BaseFileReader(const std::string& path, int64_t model_n_vocab, std::span<const int32_t> tokens)
    : path_(path) {
    in_.open(path, std::ios::binary);
    if (!in_) throw Error(fmt::format("{}: cannot open the KL-divergence base file", path));
    in_.seekg(0, std::ios::end);
    const std::streamoff end = in_.tellg();
    in_.seekg(0, std::ios::beg);
    if (end < 0 || !in_) throw Error(fmt::format("{}: cannot determine the size of the base file", path));
    const uint64_t file_bytes = uint64_t(end);
    if (file_bytes < kFileHeaderBytes) {
        throw Error(fmt::format("{}: truncated: {} bytes, but the base-file header alone takes {}", path, file_bytes,
                                kFileHeaderBytes));
    }
    char magic[sizeof(kBaseFileMagic)];
    in_.read(magic, sizeof(magic));
    in_.read(reinterpret_cast<char*>(&header_.n_ctx), sizeof(int32_t));
    in_.read(reinterpret_cast<char*>(&header_.n_vocab), sizeof(int32_t));
    in_.read(reinterpret_cast<char*>(&header_.n_chunk), sizeof(int32_t));
    if (!in_) throw Error(fmt::format("{}: reading the base-file header failed", path));
    if (std::memcmp(magic, kBaseFileMagic, sizeof(magic)) != 0) {
        throw Error(fmt::format("{}: not a KL-divergence base file: it does not start with \"_logits_\"", path));
    }
    if (header_.n_ctx < 4) {
        throw Error(fmt::format("{}: header field n_ctx is {}; a base file needs at least 4", path, header_.n_ctx));
    }
    if (header_.n_vocab < 1) {
        throw Error(fmt::format("{}: header field n_vocab is {}; it must be positive", path, header_.n_vocab));
    }
    if (header_.n_vocab != model_n_vocab) {
        throw Error(fmt::format("{}: header field n_vocab is {} but the model's vocabulary has {} tokens; the base "
                                "was computed with another model family",
                                path, header_.n_vocab, model_n_vocab));
    }
    if (header_.n_chunk < 1) {
        throw Error(fmt::format("{}: header field n_chunk is {}; it must be positive", path, header_.n_chunk));
    }

    // Exact size the header implies; every product is checked because the fields are untrusted.
    const uint64_t n_tokens = uint64_t(header_.n_chunk) * uint64_t(header_.n_ctx);  // < 2^62
    uint64_t chunk_bytes = 0, rows_bytes = 0, expected = 0;
    const bool fits = checked_mul(uint64_t(scored_per_chunk(header_.n_ctx)), uint64_t(row_words(header_.n_vocab)),
                                  chunk_bytes) &&
                      checked_mul(chunk_bytes, sizeof(uint16_t), chunk_bytes) &&
                      checked_mul(chunk_bytes, uint64_t(header_.n_chunk), rows_bytes) &&
                      checked_add(kFileHeaderBytes + n_tokens * sizeof(int32_t), rows_bytes, expected);
    if (!fits) {
        throw Error(fmt::format("{}: header fields n_ctx={}, n_vocab={}, n_chunk={} describe more than 2^64 bytes",
                                path, header_.n_ctx, header_.n_vocab, header_.n_chunk));
    }
    const uint64_t tokens_end = kFileHeaderBytes + n_tokens * sizeof(int32_t);
    if (file_bytes < expected) {
        const uint64_t whole = file_bytes < tokens_end ? 0 : (file_bytes - tokens_end) / chunk_bytes;
        throw Error(fmt::format("{}: truncated: {} bytes, but n_ctx={}, n_vocab={}, n_chunk={} need {} ({}); the "
                                "base run was probably interrupted",
                                path, file_bytes, header_.n_ctx, header_.n_vocab, header_.n_chunk, expected,
                                file_bytes < tokens_end
                                    ? std::string("the token list itself is cut short")
                                    : fmt::format("only {} of {} chunks are complete", whole, header_.n_chunk)));
    }
    if (file_bytes > expected) {
        throw Error(fmt::format("{}: {} unexpected bytes after the last of its {} chunks (header n_ctx={}, "
                                "n_vocab={})",
                                path, file_bytes - expected, header_.n_chunk, header_.n_ctx, header_.n_vocab));
    }

    if (tokens.size() < n_tokens) {
        throw Error(fmt::format("{}: holds {} tokens (n_chunk={} x n_ctx={}) but this run's text tokenizes to only "
                                "{}; the base was computed on another text",
                                path, n_tokens, header_.n_chunk, header_.n_ctx, tokens.size()));
    }
    // Compare the stored tokens block by block so a large file needs no large buffer.
    std::vector<int32_t> block(std::min<uint64_t>(n_tokens, 1u << 16));
    for (uint64_t done = 0; done < n_tokens;) {
        const size_t n = size_t(std::min<uint64_t>(block.size(), n_tokens - done));
        in_.read(reinterpret_cast<char*>(block.data()), std::streamsize(n * sizeof(int32_t)));
        if (!in_) throw Error(fmt::format("{}: reading the stored tokens failed at token {}", path, done));
        for (size_t i = 0; i < n; ++i) {
            const uint64_t at = done + i;
            if (block[i] != tokens[size_t(at)]) {
                throw Error(fmt::format("{}: stored token {} (chunk {}, offset {}) is {} but this run's "
                                        "tokenization has {} there; the base was computed on another text or with "
                                        "another tokenizer",
                                        path, at, at / uint64_t(header_.n_ctx) + 1, at % uint64_t(header_.n_ctx),
                                        block[i], tokens[size_t(at)]));
            }
        }
        done += n;
    }
}

void BaseFileReader::read_next_chunk(std::vector<uint16_t>& rows) {
    if (next_chunk_ >= header_.n_chunk) {
        throw Error(fmt::format("{}: all {} chunks have been read", path_, header_.n_chunk));
    }
    const size_t words_per_row = size_t(row_words(header_.n_vocab));
    const size_t n_rows = size_t(scored_per_chunk(header_.n_ctx));
    rows.resize(n_rows * words_per_row);
    in_.read(reinterpret_cast<char*>(rows.data()), std::streamsize(rows.size() * sizeof(uint16_t)));
    if (!in_) {
        throw Error(fmt::format("{}: reading the log-probabilities of chunk {} failed (the file changed or is "
                                "truncated)",
                                path_, next_chunk_ + 1));
    }
    for (size_t r = 0; r < n_rows; ++r) {
        const RowScale s = row_scale(std::span<const uint16_t>(rows.data() + r * words_per_row, words_per_row));
        if (!std::isfinite(s.scale) || s.scale < 0.0f || !std::isfinite(s.min_log_prob)) {
            throw Error(fmt::format("{}: chunk {}, row {}: the stored scale {} / offset {} are not valid "
                                    "log-probability parameters",
                                    path_, next_chunk_ + 1, r, s.scale, s.min_log_prob));
        }
    }
    ++next_chunk_;
}

}  // namespace sy::runtime::kld
