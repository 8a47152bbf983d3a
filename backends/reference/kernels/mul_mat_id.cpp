// MUL_MAT_ID (mixture of experts): dst[:, s, t] = weights[:, :, e] x acts[:, s % S1, t] with
// e = ids[s, t]. The (slot, token) pairs are grouped by expert first, so each expert's weight
// rows are read once per call and dotted with all of that expert's columns; each activation
// column is converted once, however many slots use it.
#include <cinttypes>
#include <vector>

#include "dot_plan.hpp"
#include "kernels.hpp"
#include "switchyard/sdk/errors.hpp"

namespace sy::refops {
namespace {

struct ExpertTask {
    int64_t expert;
    int64_t row0;
};

}  // namespace

void mul_mat_id(ThreadPool& pool, const View& weights, const View& acts, const View& ids, const View& dst) {
    const int64_t k = weights.ne[0], n_rows = weights.ne[1], n_experts = weights.ne[2];
    const int64_t act_slots = acts.ne[1];  // S1: 1 (shared by every slot) or S
    const int64_t slots = ids.ne[0], tokens = ids.ne[1];

    // Group pairs p = s + S * t by expert (counting sort: stable, so token order within a group).
    std::vector<int64_t> group_start(size_t(n_experts) + 1, 0);
    for (int64_t t = 0; t < tokens; ++t) {
        const int32_t* row = ids.i32_row(t, 0, 0);
        for (int64_t s = 0; s < slots; ++s) {
            if (row[s] < 0 || row[s] >= n_experts) {
                sdk::fail(SY_STATUS_INVALID_ARGUMENT,
                          "MUL_MAT_ID: expert id %" PRId32 " at slot %" PRId64 ", token %" PRId64
                          " is outside 0..%" PRId64,
                          row[s], s, t, n_experts - 1);
            }
            ++group_start[size_t(row[s]) + 1];
        }
    }
    for (int64_t e = 0; e < n_experts; ++e) group_start[size_t(e) + 1] += group_start[size_t(e)];
    std::vector<int64_t> pairs(size_t(slots * tokens));
    {
        std::vector<int64_t> fill(group_start.begin(), group_start.end() - 1);
        for (int64_t t = 0; t < tokens; ++t) {
            const int32_t* row = ids.i32_row(t, 0, 0);
            for (int64_t s = 0; s < slots; ++s) pairs[size_t(fill[size_t(row[s])]++)] = s + slots * t;
        }
    }

    const DotPlan plan = make_dot_plan(weights.type, k);
    std::vector<const uint8_t*> act_columns;  // column c = s1 + S1 * t
    auto column_source = [&](int64_t c) { return acts.f32_row(c % act_slots, c / act_slots, 0); };
    prepare_columns(pool, plan, act_slots * tokens, column_source, act_columns);
    // The columns of each pair, in group order, so a task passes a contiguous list.
    std::vector<const uint8_t*> pair_columns(pairs.size());
    for (size_t i = 0; i < pairs.size(); ++i) {
        const int64_t s = pairs[i] % slots, t = pairs[i] / slots;
        pair_columns[i] = act_columns[size_t(s % act_slots + act_slots * t)];
    }

    std::vector<ExpertTask> tasks;
    for (int64_t e = 0; e < n_experts; ++e) {
        if (group_start[size_t(e)] == group_start[size_t(e) + 1]) continue;  // unused expert
        for (int64_t r0 = 0; r0 < n_rows; r0 += kRowsPerTask) tasks.push_back({e, r0});
    }
    auto run_tasks = [&](int64_t begin, int64_t end, int thread) {
        for (int64_t i = begin; i < end; ++i) {
            const ExpertTask task = tasks[size_t(i)];
            const int64_t first = group_start[size_t(task.expert)];
            const int64_t count = group_start[size_t(task.expert) + 1] - first;
            const int64_t r1 = task.row0 + kRowsPerTask < n_rows ? task.row0 + kRowsPerTask : n_rows;
            auto weight_row = [&](int64_t r) { return weights.row(r, task.expert, 0); };
            auto store = [&](int64_t r, int64_t j, float value) {
                const int64_t pair = pairs[size_t(first + j)];
                dst.f32_row(pair % slots, pair / slots, 0)[r] = value;
            };
            dot_rows(pool, thread, plan, task.row0, r1, weight_row, pair_columns.data() + first, count, store);
        }
    };
    pool.for_chunks(int64_t(tasks.size()), 1, run_tasks);
}

}  // namespace sy::refops
