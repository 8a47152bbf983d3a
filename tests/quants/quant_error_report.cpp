// Prints the quantizer error table as TSV on stdout, for docs and for eyeballing:
//   type, tensor, our RMSE, oracle RMSE, ratio, our weighted RMSE, oracle weighted RMSE,
//   ratio, our RMSE with the kernel-table dequantizer, byte-identical rows, rows.
// Usage: quant_error_report [TYPE...]   (default: every type with a quantize_row, and Q4_X)
// The measurement is the harness's (quant_error_support.hpp): the error columns use the
// dequantizer the oracle measured with, so the ratios compare like with like.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "quant_error_support.hpp"

int main(int argc, char** argv) {
    using namespace sy::test;
    try {
        const std::vector<QuantVariant> variants = quant_variants();
        std::vector<const QuantVariant*> chosen;
        for (int i = 1; i < argc; ++i) {
            const QuantVariant* v = find_variant(variants, argv[i]);
            if (!v) {
                std::fprintf(stderr, "quant_error_report: no quantizer for %s\n", argv[i]);
                return 2;
            }
            chosen.push_back(v);
        }
        if (chosen.empty())
            for (const QuantVariant& v : variants) chosen.push_back(&v);

        std::printf(
            "type\ttensor\trmse\toracle_rmse\trmse_ratio\tweighted_rmse\t"
            "oracle_weighted_rmse\tweighted_ratio\tkernel_rmse\tidentical_rows\trows\n");
        const QuantErrorFixtures& f = quant_error_fixtures();
        for (const QuantVariant* v : chosen) {
            if (!find_oracle_error(f.oracle, v->name, f.matrices.front().name)) {
                std::fprintf(stderr, "quant_error_report: %s: not in oracle-error.tsv, skipped\n",
                             v->name.c_str());
                continue;
            }
            for (const SourceMatrix& m : f.matrices) {
                const QuantErrorRow r = evaluate(*v, m, /*count_identical=*/true);
                std::printf("%s\t%s\t%.6g\t%.6g\t%.5f\t%.6g\t%.6g\t%.5f\t%.6g\t%lld\t%lld\n",
                            r.type.c_str(), r.tensor.c_str(), r.ours.rmse, r.oracle.rmse,
                            r.rmse_ratio(), r.ours.weighted_rmse, r.oracle.weighted_rmse,
                            r.weighted_rmse_ratio(), r.ours_kernel.rmse,
                            static_cast<long long>(r.identical_rows),
                            static_cast<long long>(r.rows));
                std::fflush(stdout);
            }
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "quant_error_report: %s\n", e.what());
        return 1;
    }
}
