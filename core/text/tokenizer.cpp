// Vocab: tokenize() dispatch, token pieces and accessors. Loading is tokenizer_load.cpp.
#include "text/tokenizer.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "common/error.hpp"
#include "gguf/gguf_model.hpp"
#include "text/byte_encoding.hpp"
#include "text/tokenizer_impl.hpp"
#include "text/unicode.hpp"

namespace sy::text {

namespace {

const std::string kEmptyPiece;
constexpr std::string_view kSpmSpace = "\xE2\x96\x81";  // U+2581 '▁', SentencePiece's space

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    std::string out;
    out.reserve(s.size());
    size_t pos = 0;
    while (true) {
        const size_t hit = s.find(from, pos);
        if (hit == std::string::npos) break;
        out.append(s, pos, hit - pos);
        out += to;
        pos = hit + from.size();
    }
    out.append(s, pos);
    s.swap(out);
}

}  // namespace

Vocab::Vocab(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Vocab::Vocab(Vocab&&) noexcept = default;
Vocab& Vocab::operator=(Vocab&&) noexcept = default;
Vocab::~Vocab() = default;

Vocab Vocab::from_gguf(const gguf::GgufModel& model) { return from_gguf(model.shards().front()); }

void Vocab::Impl::check_id(int32_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= tokens.size()) {
        throw Error(path + ": token id " + std::to_string(id) + " is out of range [0, " + std::to_string(tokens.size()) + ")");
    }
}

std::vector<int32_t> Vocab::tokenize(std::string_view text, bool add_special, bool parse_special) const {
    const Impl& v = *impl_;
    std::vector<int32_t> out;
    const std::vector<Fragment> fragments = v.cut_special_tokens(text, parse_special);

    const auto push_special = [&](int32_t id, const char* what) {
        if (id == kNoToken) throw Error(v.path + ": the vocabulary asks for a " + what + " token but defines none");
        out.push_back(id);
    };
    if (add_special && v.add_bos) push_special(v.bos, "BOS");

    if (v.kind == VocabKind::Spm) {
        // A run of text gets the leading space when it starts the input or follows a special
        // token.
        bool after_special = true;
        std::string escaped;
        for (const Fragment& f : fragments) {
            if (f.token != kNoToken) {
                out.push_back(f.token);
                after_special = true;
                continue;
            }
            escaped.clear();
            if (v.add_space_prefix && after_special) escaped += ' ';
            escaped.append(text.substr(f.offset, f.length));
            replace_all(escaped, " ", kSpmSpace);
            v.tokenize_spm(escaped, out);
            after_special = false;
        }
    } else {
        for (const Fragment& f : fragments) {
            if (f.token != kNoToken) {
                out.push_back(f.token);
            } else {
                v.tokenize_bpe(text.substr(f.offset, f.length), out);
            }
        }
    }

    if (add_special && v.add_eos) push_special(v.eos, "EOS");
    return out;
}

std::string Vocab::Impl::make_piece(int32_t id) const {
    const TokenData& t = tokens[static_cast<size_t>(id)];
    if (t.attr & (kAttrUnknown | kAttrControl | kAttrUserDefined)) return t.text;
    if (t.attr & kAttrNormal) {
        std::string piece = t.text;
        if (kind == VocabKind::Spm) {
            replace_all(piece, kSpmSpace, " ");
            return piece;
        }
        // Byte-level text back to bytes. A code point outside the byte alphabet is spelled out
        // the way llama.cpp does: "[UNK_BYTE_0x<its UTF-8 in hex><the token text>]".
        piece.clear();
        for (const uint32_t cp : unicode::decode_utf8(t.text)) {
            if (const std::optional<uint8_t> b = codepoint_to_byte(cp)) {
                piece += static_cast<char>(*b);
                continue;
            }
            piece += "[UNK_BYTE_0x";
            char hex[3];
            for (const char c : unicode::encode_utf8(cp)) {
                std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned>(static_cast<uint8_t>(c)));
                piece += hex;
            }
            piece += t.text + "]";
        }
        return piece;
    }
    if (t.attr & kAttrByte) {
        // "<0xAB>": the two hex digits at offset 3.
        const std::string digits = t.text.size() > 3 ? t.text.substr(3, 2) : std::string();
        return std::string(1, static_cast<char>(std::strtol(digits.c_str(), nullptr, 16)));
    }
    return {};  // undefined or unused-only tokens print as nothing
}

const std::string& Vocab::token_to_piece(int32_t id, bool special) const {
    impl_->check_id(id);
    const uint16_t attr = impl_->tokens[static_cast<size_t>(id)].attr;
    if (!special && (attr & (kAttrUnknown | kAttrControl))) return kEmptyPiece;
    return impl_->pieces[static_cast<size_t>(id)];
}

int32_t Vocab::n_tokens() const { return static_cast<int32_t>(impl_->tokens.size()); }
VocabKind Vocab::kind() const { return impl_->kind; }
const std::string& Vocab::model_name() const { return impl_->model; }
const std::string& Vocab::pre_tokenizer() const { return impl_->pre; }

const std::string& Vocab::token_text(int32_t id) const {
    impl_->check_id(id);
    return impl_->tokens[static_cast<size_t>(id)].text;
}

float Vocab::token_score(int32_t id) const {
    impl_->check_id(id);
    return impl_->tokens[static_cast<size_t>(id)].score;
}

uint16_t Vocab::token_attr(int32_t id) const {
    impl_->check_id(id);
    return impl_->tokens[static_cast<size_t>(id)].attr;
}

int32_t Vocab::token_id(std::string_view text) const { return impl_->find(text); }
int32_t Vocab::bos() const { return impl_->bos; }
int32_t Vocab::eos() const { return impl_->eos; }
int32_t Vocab::eot() const { return impl_->eot; }
int32_t Vocab::unk() const { return impl_->unk; }
int32_t Vocab::pad() const { return impl_->pad; }
bool Vocab::add_bos() const { return impl_->add_bos; }
bool Vocab::add_eos() const { return impl_->add_eos; }
bool Vocab::add_space_prefix() const { return impl_->add_space_prefix; }

bool Vocab::is_eog(int32_t id) const {
    return id != kNoToken && std::binary_search(impl_->eog.begin(), impl_->eog.end(), id);
}

const std::vector<int32_t>& Vocab::eog_ids() const { return impl_->eog; }

}  // namespace sy::text
