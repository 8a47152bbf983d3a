// KL divergence between a model and a base run, measured the way ik_llama.cpp's
// llama-perplexity --kl-divergence measures it, plus the base file that carries the base
// run's log-probabilities. Files written here and by llama-perplexity --kl-divergence-base
// are interchangeable.
//
// Base file layout (native little-endian, no padding between fields):
//   char[8]   "_logits_"
//   int32     n_ctx
//   int32     n_vocab
//   int32     n_chunk
//   int32     tokens[n_chunk * n_ctx]        the first n_chunk chunks of the tokenized text
//   then per chunk, per scored position j = n_ctx/2 .. n_ctx-2 (n_ctx - 1 - n_ctx/2 rows),
//   one row of row_words(n_vocab) uint16:
//     words 0-1  float scale          (log-prob step per count)
//     words 2-3  float min_log_prob   (log-prob of count 0)
//     words 4..  uint16 count[n_vocab], then one zero word when n_vocab is odd
//   log p[i] ~= scale * count[i] + min_log_prob. Counts cover the 24 nats below the top
//   logit; anything lower is stored as 0 (it reads back as min_log_prob).
//
// The float arithmetic (float exps summed in double, float log-sum-exp, no fused
// multiply-add) follows the reference so that figures agree to the printed digits.
#pragma once

#include <cstdint>
#include <fstream>
#include <span>
#include <string>
#include <vector>

namespace sy::runtime::kld {

inline constexpr char kBaseFileMagic[8] = {'_', 'l', 'o', 'g', 'i', 't', 's', '_'};

// uint16 words per stored row: the 4-word header plus n_vocab counts rounded up to even.
int64_t row_words(int64_t n_vocab);
// Scored positions per chunk: n_ctx/2 .. n_ctx-2.
int64_t scored_per_chunk(int64_t n_ctx);

// Compresses softmax(logits) into `row` (row_words(logits.size()) words) and returns
// -log p[token], computed in float as the reference does.
double compress_log_probs(std::span<const float> logits, int32_t token, std::span<uint16_t> row);

// The two header floats of a stored row, and the log-probability it stores for `index`.
struct RowScale {
    float scale = 0.0f;
    float min_log_prob = 0.0f;
};
RowScale row_scale(std::span<const uint16_t> row);
float stored_log_prob(std::span<const uint16_t> row, int64_t index);

// Running sums over every scored token. Products of float values are rounded to float
// before they are summed in double, as in the reference.
struct KldSums {
    double nll = 0.0, nll2 = 0.0;            // -log p(Q)
    double nll_base = 0.0, nll_base2 = 0.0;  // -log p(base)
    double nll_nll_base = 0.0;
    double kld = 0.0, kld2 = 0.0;
    double p_diff = 0.0, p_diff2 = 0.0, p_diff4 = 0.0;  // p(Q) - p(base) of the next token
    float max_abs_p_diff = 0.0f;
    uint64_t same_top = 0;  // argmax of Q == argmax of base (first index on ties)
    uint64_t count = 0;
};

struct TokenComparison {
    double kld = 0.0;     // sum_i p_base[i] * (log p_base[i] - log q[i]) over p_base > e^-16
    float p_diff = 0.0f;  // p(Q)[token] - p(base)[token]
};

// Adds the sums of `part` to `into` (max for max_abs_p_diff). Merging one-position partial
// sums in position order gives exactly the sums of a sequential pass, whatever the threads.
void merge_sums(KldSums& into, const KldSums& part);

// Compares the model's logits for one position with the stored base row and adds to `sums`.
TokenComparison compare_with_base(std::span<const float> logits, std::span<const uint16_t> base_row, int32_t token,
                                  KldSums& sums);

// Mean and its standard error; the error is 0 with 10 or fewer values, as in the reference.
struct Estimate {
    double value = 0.0;
    double error = 0.0;
};
Estimate mean_and_error(double sum, double sum2, uint64_t count);
// Covariance of the two means (0 with fewer than 10 values).
double covariance_of_means(double sum_a, double sum_b, double sum_ab, uint64_t count);

// Linear interpolation between the two neighbours of fraction * (n - 1), in float; the ends
// for fraction <= 0 or >= 1. `sorted` must be ascending and non-empty.
float percentile(std::span<const float> sorted, float fraction);
// Middle value, or the mean of the two middle values for an even count.
float median(std::span<const float> sorted);

// The figures of one progress row (cumulative over the chunks so far).
struct ChunkFigures {
    Estimate ppl;            // PPL(Q)
    Estimate ln_ppl_ratio;   // ln(PPL(Q)/PPL(base))
    Estimate kld;            // mean KLD
    Estimate rms_p_diff;     // RMS of Δp (fraction, not percent)
    Estimate same_top;       // fraction of positions with the same top token
};
ChunkFigures chunk_figures(const KldSums& sums);

// The closing statistics block. Percentile vectors are sorted ascending.
struct KldSummary {
    Estimate ppl, ppl_base;
    double ln_ppl_correlation = 0.0;
    Estimate ln_ppl_ratio, ppl_ratio, ppl_difference;
    Estimate kld;
    float kld_max = 0, kld_999 = 0, kld_990 = 0, kld_950 = 0, kld_900 = 0, kld_median = 0;
    float kld_100 = 0, kld_050 = 0, kld_010 = 0, kld_001 = 0, kld_min = 0;
    Estimate p_diff;
    float p_diff_max = 0, p_diff_999 = 0, p_diff_990 = 0, p_diff_950 = 0, p_diff_900 = 0, p_diff_750 = 0;
    float p_diff_median = 0;
    float p_diff_250 = 0, p_diff_100 = 0, p_diff_050 = 0, p_diff_010 = 0, p_diff_001 = 0, p_diff_min = 0;
    Estimate rms_p_diff, same_top;
};
KldSummary summarize(const KldSums& sums, std::span<const float> sorted_kld, std::span<const float> sorted_p_diff);

// ---- base file ----

struct BaseFileHeader {
    int32_t n_ctx = 0;
    int32_t n_vocab = 0;
    int32_t n_chunk = 0;
};

// Writes the header and the tokens of the first n_chunk chunks; then append_rows per chunk.
class BaseFileWriter {
public:
    BaseFileWriter(const std::string& path, const BaseFileHeader& header, std::span<const int32_t> tokens);
    // rows: scored_per_chunk(n_ctx) * row_words(n_vocab) words.
    void append_chunk(std::span<const uint16_t> rows);
    // Flushes and closes; sy::Error when the disk refused the data.
    void finish();

private:
    void check_stream(const char* what);
    std::string path_;
    BaseFileHeader header_;
    std::ofstream out_;
};

// Opens a base file and validates it before anything is allocated from its sizes: magic,
// header ranges, n_vocab against the model's, the exact file size the header implies, and
// the stored tokens against this run's tokenization. Every failure is a sy::Error naming
// the file and the field.
class BaseFileReader {
public:
    BaseFileReader(const std::string& path, int64_t model_n_vocab, std::span<const int32_t> tokens);
    const BaseFileHeader& header() const { return header_; }
    // Reads the next chunk's rows (scored_per_chunk(n_ctx) * row_words(n_vocab) words) and
    // checks each row's scale and offset are finite.
    void read_next_chunk(std::vector<uint16_t>& rows);

private:
    std::string path_;
    BaseFileHeader header_;
    std::ifstream in_;
    int32_t next_chunk_ = 0;
};

}  // namespace sy::runtime::kld
