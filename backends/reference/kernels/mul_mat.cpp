// MUL_MAT: dst[n, m, i2, i3] = sum_k weights[k, n, i2/r2, i3/r3] * acts[k, m, i2, i3], the
// weights broadcast over the activation batch (r2 = B2/b2, r3 = B3/b3) as in ggml.
// Work: tasks of up to kRowsPerTask weight rows x a range of columns, per batch; each output
// element is one dot product computed by one thread.
#include <vector>

#include "dot_plan.hpp"
#include "kernels.hpp"

namespace sy::refops {

void mul_mat(ThreadPool& pool, const View& weights, const View& acts, const View& dst) {
    const int64_t k = weights.ne[0], n_rows = weights.ne[1];
    const int64_t m_cols = acts.ne[1], b2 = acts.ne[2], b3 = acts.ne[3];
    const int64_t ratio2 = b2 / weights.ne[2], ratio3 = b3 / weights.ne[3];
    const DotPlan plan = make_dot_plan(weights.type, k);

    // Column c = m + M * (i2 + B2 * i3): converted once, whatever the number of weight rows.
    std::vector<const uint8_t*> columns;
    auto column_source = [&](int64_t c) {
        const int64_t batch = c / m_cols;
        return acts.f32_row(c % m_cols, batch % b2, batch / b2);
    };
    prepare_columns(pool, plan, m_cols * b2 * b3, column_source, columns);

    // Enough tasks to keep every thread busy: split the columns too when rows alone are few.
    const int64_t row_tasks = (n_rows + kRowsPerTask - 1) / kRowsPerTask;
    const int64_t wanted = int64_t(pool.threads()) * 4;
    int64_t col_chunk = m_cols;
    if (row_tasks * b2 * b3 < wanted && pool.threads() > 1) {
        const int64_t pieces = (wanted + row_tasks * b2 * b3 - 1) / (row_tasks * b2 * b3);
        col_chunk = (m_cols + pieces - 1) / pieces;
        if (col_chunk < 8) col_chunk = m_cols < 8 ? m_cols : 8;
    }
    const int64_t col_tasks = (m_cols + col_chunk - 1) / col_chunk;
    const int64_t tasks_per_batch = row_tasks * col_tasks;

    auto run_tasks = [&](int64_t begin, int64_t end, int thread) {
        for (int64_t task = begin; task < end; ++task) {
            const int64_t batch = task / tasks_per_batch;
            const int64_t i2 = batch % b2, i3 = batch / b2;
            const int64_t r0 = (task % tasks_per_batch) / col_tasks * kRowsPerTask;
            const int64_t r1 = r0 + kRowsPerTask < n_rows ? r0 + kRowsPerTask : n_rows;
            const int64_t m0 = (task % col_tasks) * col_chunk;
            const int64_t m1 = m0 + col_chunk < m_cols ? m0 + col_chunk : m_cols;
            auto weight_row = [&](int64_t r) { return weights.row(r, i2 / ratio2, i3 / ratio3); };
            auto store = [&](int64_t r, int64_t j, float value) { dst.f32_row(m0 + j, i2, i3)[r] = value; };
            dot_rows(pool, thread, plan, r0, r1, weight_row, columns.data() + batch * m_cols + m0, m1 - m0, store);
        }
    };
    pool.for_chunks(tasks_per_batch * b2 * b3, 1, run_tasks);
}

}  // namespace sy::refops
