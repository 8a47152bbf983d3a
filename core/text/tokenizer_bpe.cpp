// Byte-level BPE (tokenizer.ggml.model = "gpt2"), as llama.cpp's BPE tokenizer: the
// pre-tokenizer cuts words; in each word, starting from single characters of its byte-level
// spelling, the adjacent pair with the lowest merge rank is merged until no pair has a rank
// (ties: the leftmost pair). Each resulting symbol is emitted as its token; a symbol that is
// not a token is emitted byte by byte as single-byte tokens where they exist, and dropped where
// they do not (llama.cpp does the same).
#include <queue>
#include <unordered_map>

#include "text/tokenizer_impl.hpp"
#include "text/unicode.hpp"

namespace sy::text {

namespace {

struct Candidate {
    int32_t rank = 0;
    int left = 0;
    int right = 0;
    size_t left_size = 0;   // sizes when queued: a symbol only grows, so a change means stale
    size_t right_size = 0;
};

// Lowest rank first; equal ranks: the leftmost pair first.
struct CandidateOrder {
    bool operator()(const Candidate& a, const Candidate& b) const {
        return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
    }
};

// Reusable buffers for the words of one tokenize call.
struct Workspace {
    std::vector<Symbol> symbols;
    std::priority_queue<Candidate, std::vector<Candidate>, CandidateOrder> queue;  // empty between words
    std::string key;
};

void merge_word(const Vocab::Impl& v, std::string_view word, Workspace& ws, std::vector<int32_t>& out) {
    std::vector<Symbol>& symbols = ws.symbols;
    split_into_symbols(word, symbols);

    auto& queue = ws.queue;
    const auto try_pair = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const Symbol& l = symbols[static_cast<size_t>(left)];
        const Symbol& r = symbols[static_cast<size_t>(right)];
        ws.key.assign(word.substr(l.start, l.size));
        ws.key += ' ';
        ws.key.append(word.substr(r.start, r.size));
        const auto it = v.merge_rank.find(std::string_view(ws.key));
        if (it == v.merge_rank.end()) return;
        queue.push({it->second, left, right, l.size, r.size});
    };
    for (size_t i = 1; i < symbols.size(); ++i) try_pair(static_cast<int>(i) - 1, static_cast<int>(i));

    while (!queue.empty()) {
        const Candidate c = queue.top();
        queue.pop();
        Symbol& l = symbols[static_cast<size_t>(c.left)];
        Symbol& r = symbols[static_cast<size_t>(c.right)];
        if (l.size != c.left_size || r.size != c.right_size || l.size == 0 || r.size == 0) continue;  // stale
        l.size += r.size;
        r.size = 0;
        l.next = r.next;
        if (r.next >= 0) symbols[static_cast<size_t>(r.next)].prev = c.left;
        try_pair(l.prev, c.left);
        try_pair(c.left, l.next);
    }

    for (const Symbol& s : symbols) {
        if (s.size == 0) continue;
        const std::string_view piece = word.substr(s.start, s.size);
        const int32_t id = v.find(piece);
        if (id != kNoToken) {
            out.push_back(id);
            continue;
        }
        for (size_t k = 0; k < piece.size(); ++k) {
            const int32_t byte_id = v.find(piece.substr(k, 1));
            if (byte_id != kNoToken) out.push_back(byte_id);
        }
    }
}

}  // namespace

void Vocab::Impl::tokenize_bpe(std::string_view text, std::vector<int32_t>& out) const {
    std::vector<std::string> words;
    pre_tokenizer->split(text, words);
    Workspace ws;
    // A word's tokens depend on the word alone, and long texts repeat words a lot (1 MB of
    // English has ~250k words but ~30k distinct ones): remember each word's ids for this call.
    struct Span {
        size_t begin, size;
    };
    std::unordered_map<std::string_view, Span> seen;
    std::vector<int32_t> seen_ids;
    for (const std::string& word : words) {
        if (ignore_merges) {
            const int32_t id = find(word);
            if (id != kNoToken) {
                out.push_back(id);
                continue;
            }
        }
        if (const auto it = seen.find(word); it != seen.end()) {
            out.insert(out.end(), seen_ids.begin() + static_cast<ptrdiff_t>(it->second.begin),
                       seen_ids.begin() + static_cast<ptrdiff_t>(it->second.begin + it->second.size));
            continue;
        }
        const size_t first = out.size();
        merge_word(*this, word, ws, out);
        seen.emplace(word, Span{seen_ids.size(), out.size() - first});
        seen_ids.insert(seen_ids.end(), out.begin() + static_cast<ptrdiff_t>(first), out.end());
    }
}

}  // namespace sy::text
