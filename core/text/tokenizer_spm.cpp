// SentencePiece BPE (tokenizer.ggml.model = "llama"), as llama.cpp's SPM tokenizer: start from
// single UTF-8 characters, repeatedly merge the adjacent pair whose concatenation is the
// highest-scoring token (ties: the leftmost pair), then emit each symbol as its token, or as
// byte tokens when it is not one.
#include <queue>

#include "common/error.hpp"
#include "text/tokenizer_impl.hpp"
#include "text/unicode.hpp"

namespace sy::text {

namespace {

struct Candidate {
    int left = 0;
    int right = 0;
    float score = 0.0f;
    size_t size = 0;  // left.size + right.size when queued; a mismatch later means stale
};

// Highest score first; equal scores: the leftmost pair first.
struct CandidateOrder {
    bool operator()(const Candidate& a, const Candidate& b) const {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
};

char hex_digit(unsigned v) { return "0123456789ABCDEF"[v & 15]; }

// Buffers reused across the stretches of one call.
struct Workspace {
    std::vector<Symbol> symbols;
    std::priority_queue<Candidate, std::vector<Candidate>, CandidateOrder> queue;  // empty between uses
};

void merge_stretch(const Vocab::Impl& v, std::string_view text, Workspace& ws, std::vector<int32_t>& out) {
    std::vector<Symbol>& symbols = ws.symbols;
    split_into_symbols(text, symbols);

    auto& queue = ws.queue;
    const auto try_pair = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const Symbol& l = symbols[static_cast<size_t>(left)];
        const Symbol& r = symbols[static_cast<size_t>(right)];
        const int32_t id = v.find(text.substr(l.start, l.size + r.size));
        if (id == kNoToken) return;
        queue.push({left, right, v.tokens[static_cast<size_t>(id)].score, l.size + r.size});
    };
    for (size_t i = 1; i < symbols.size(); ++i) try_pair(static_cast<int>(i) - 1, static_cast<int>(i));

    while (!queue.empty()) {
        const Candidate c = queue.top();
        queue.pop();
        Symbol& l = symbols[static_cast<size_t>(c.left)];
        Symbol& r = symbols[static_cast<size_t>(c.right)];
        if (l.size == 0 || r.size == 0 || l.size + r.size != c.size) continue;  // stale
        l.size += r.size;
        r.size = 0;
        l.next = r.next;
        if (r.next >= 0) symbols[static_cast<size_t>(r.next)].prev = c.left;
        try_pair(l.prev, c.left);
        try_pair(c.left, l.next);
    }

    for (int i = symbols.empty() ? -1 : 0; i != -1; i = symbols[static_cast<size_t>(i)].next) {
        const Symbol& s = symbols[static_cast<size_t>(i)];
        const std::string_view piece = text.substr(s.start, s.size);
        const int32_t id = v.find(piece);
        if (id != kNoToken) {
            out.push_back(id);
            continue;
        }
        // Byte fallback: "<0xAB>" tokens, or a token whose text is the raw byte.
        for (const char ch : piece) {
            const auto b = static_cast<uint8_t>(ch);
            const char hex[6] = {'<', '0', 'x', hex_digit(b >> 4u), hex_digit(b), '>'};
            int32_t byte_id = v.find(std::string_view(hex, sizeof hex));
            if (byte_id == kNoToken) byte_id = v.find(std::string_view(&ch, 1));
            if (byte_id == kNoToken) {
                throw Error(v.path + ": the vocabulary has no token for byte 0x" + std::string(hex + 3, 2) +
                            " (neither <0x..> nor the raw byte)");
            }
            out.push_back(byte_id);
        }
    }
}

}  // namespace

void Vocab::Impl::tokenize_spm(std::string_view escaped, std::vector<int32_t>& out) const {
    Workspace ws;
    size_t begin = 0;
    for (size_t i = 0; i < escaped.size(); ++i) {
        const auto b = static_cast<uint8_t>(escaped[i]);
        if (b >= 0x80 || !spm_never_merged[b]) continue;
        if (i > begin) merge_stretch(*this, escaped.substr(begin, i - begin), ws, out);
        merge_stretch(*this, escaped.substr(i, 1), ws, out);
        begin = i + 1;
    }
    if (begin < escaped.size()) merge_stretch(*this, escaped.substr(begin), ws, out);
}

}  // namespace sy::text
