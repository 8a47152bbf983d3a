#include "quantize/quantize_model.hpp"

#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "common/error.hpp"
#include "types/quant_kernels.hpp"
#include "types/quants/quantize.hpp"
#include "types/type_registry.hpp"

namespace sy::quantize {
namespace {

QuantizeRowFn quantizer_for(TensorType target) {
    if (target.symmetric_q4_0) return quants::quantize_row_q4_0_symmetric;
    const QuantKernels* k = find_kernels(target.id);
    if (!k || !k->quantize_row) throw Error("no quantizer for type " + std::string(tensor_type_name(target)));
    return k->quantize_row;
}

DequantizeRowFn decoder_for(int32_t type, std::string_view tensor_name) {
    const QuantKernels* k = find_kernels(type);
    if (!k || !k->dequantize_row)
        throw Error("tensor '" + std::string(tensor_name) + "': cannot decode type " + type_name(type));
    return k->dequantize_row;
}

// Rows are handed out in chunks from an atomic counter; the first error stops everyone.
template <class RowFn>
void parallel_rows(int64_t n_rows, int n_threads, RowFn&& process_range) {
    const int threads = int(std::max<int64_t>(1, std::min<int64_t>(n_threads, n_rows)));
    const int64_t chunk = std::max<int64_t>(1, std::min<int64_t>(64, n_rows / (threads * 4) + 1));
    std::atomic<int64_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto worker = [&] {
        try {
            for (;;) {
                const int64_t begin = next.fetch_add(chunk);
                if (begin >= n_rows || failed.load()) return;
                process_range(begin, std::min(n_rows, begin + chunk));
            }
        } catch (...) {
            std::lock_guard lock(error_mutex);
            if (!error) error = std::current_exception();
            failed = true;
        }
    };
    if (threads == 1) {
        worker();
    } else {
        std::vector<std::thread> pool;
        for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
        for (auto& t : pool) t.join();
    }
    if (error) std::rethrow_exception(error);
}

}  // namespace

void convert_rows(std::string_view tensor_name, int32_t source_type, std::span<const uint8_t> source,
                  TensorType target, std::span<uint8_t> out, int64_t ne0, int64_t n_rows, int64_t rows_per_slice,
                  std::span<const float> importance, int n_threads) {
    const uint64_t in_row = row_bytes(source_type, ne0, tensor_name);
    const uint64_t out_row = row_bytes(target.id, ne0, tensor_name);
    if (source.size() != in_row * uint64_t(n_rows) || out.size() != out_row * uint64_t(n_rows))
        throw Error("tensor '" + std::string(tensor_name) + "': buffer sizes do not match its shape");
    const DequantizeRowFn decode = decoder_for(source_type, tensor_name);
    const QuantizeRowFn encode = quantizer_for(target);
    parallel_rows(n_rows, n_threads, [&](int64_t begin, int64_t end) {
        std::vector<float> row(static_cast<size_t>(ne0));
        for (int64_t r = begin; r < end; ++r) {
            decode(source.data() + uint64_t(r) * in_row, row.data(), ne0);
            for (int64_t j = 0; j < ne0; ++j)
                if (!std::isfinite(row[size_t(j)]))
                    throw Error("tensor '" + std::string(tensor_name) + "': row " + std::to_string(r) + " column " +
                                std::to_string(j) + " is " + (std::isnan(row[size_t(j)]) ? "NaN" : "infinite") +
                                ": the source model is corrupt");
            const float* slice = nullptr;
            if (!importance.empty()) {
                const uint64_t s = uint64_t(r / rows_per_slice) * uint64_t(ne0);
                slice = importance.data() + (s % importance.size());
            }
            encode(row.data(), out.data() + uint64_t(r) * out_row, ne0, slice);
        }
    });
}

std::vector<std::string> write_quantized_model(const gguf::GgufModel& model, const QuantizePlan& plan,
                                               const WriteOptions& options, const ProgressFn& progress) {
    gguf::GgufWriter writer;
    for (const gguf::KeyValue& kv : model.kvs())
        if (!kv.key.starts_with("split.")) writer.set(kv.key, kv.value);
    writer.set("general.quantization_version", gguf::Value::scalar<uint32_t>(2));
    writer.set("general.file_type", gguf::Value::scalar<uint32_t>(options.file_type));
    for (const auto& [key, value] : options.extra_metadata) writer.set(key, value);

    uint64_t bytes_total = 0;
    for (const TensorPlan& p : plan.tensors) bytes_total += p.source->nbytes;
    auto done = std::make_shared<uint64_t>(0);
    for (size_t i = 0; i < plan.tensors.size(); ++i) {
        const TensorPlan& p = plan.tensors[i];
        const gguf::TensorInfo& t = *p.source;
        auto report = [&, i, done, bytes_total] {
            *done += t.nbytes;
            if (progress) progress(Progress{i, plan.tensors.size(), t.name, *done, bytes_total});
        };
        if (p.action == TensorAction::Copy) {
            writer.add_tensor(t.name, t.type, t.shape(), [&model, &t, report](std::span<uint8_t> out) {
                const std::span<const uint8_t> in = model.tensor_data(t);
                std::copy(in.begin(), in.end(), out.begin());
                report();
            });
        } else {
            writer.add_tensor(t.name, p.target.id, t.shape(), [&model, &t, &p, &options, report](std::span<uint8_t> out) {
                convert_rows(t.name, t.type, model.tensor_data(t), p.target, out, t.ne[0], t.n_rows(), t.ne[1],
                             p.importance, options.n_threads);
                report();
            });
        }
    }

    if (options.keep_split && model.shards().size() > 1) {
        gguf::SplitOptions split;
        for (const gguf::GgufFile& shard : model.shards()) split.tensors_per_shard.push_back(shard.tensors().size());
        return writer.write_split(options.output_path, split);
    }
    if (options.split.max_bytes || options.split.max_tensors) return writer.write_split(options.output_path, options.split);
    writer.write(options.output_path);
    return {options.output_path};
}

}  // namespace sy::quantize
