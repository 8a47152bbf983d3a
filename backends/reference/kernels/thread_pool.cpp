#include "thread_pool.hpp"

#include "switchyard/sdk/errors.hpp"

namespace sy::refops {

ThreadPool::ThreadPool() : scratch_(1) {}

ThreadPool::~ThreadPool() { stop_workers(); }

void ThreadPool::stop_workers() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) worker.join();
    workers_.clear();
    stop_ = false;
    n_threads_ = 1;
}

void ThreadPool::set_threads(int32_t n_threads) {
    if (n_threads < 1 || n_threads > kMaxThreads) {
        sdk::fail(SY_STATUS_INVALID_ARGUMENT, "set_threads: %d threads (need 1..%d)", int(n_threads),
                  int(kMaxThreads));
    }
    if (n_threads == n_threads_) return;
    stop_workers();
    scratch_.resize(size_t(n_threads));
    try {
        workers_.reserve(size_t(n_threads - 1));
        for (int thread = 1; thread < n_threads; ++thread) {
            workers_.emplace_back(&ThreadPool::worker_main, this, thread, generation_);
        }
    } catch (...) {
        stop_workers();  // back to one thread, then report why
        throw;
    }
    n_threads_ = n_threads;
}

int64_t ThreadPool::chunk_size(int64_t n_items, int64_t min_chunk) const {
    const int64_t wanted_chunks = int64_t(n_threads_) * 4;
    const int64_t balanced = (n_items + wanted_chunks - 1) / wanted_chunks;
    return balanced > min_chunk ? balanced : (min_chunk < 1 ? 1 : min_chunk);
}

void* ThreadPool::scratch(int thread, size_t bytes) {
    std::vector<double>& memory = scratch_[size_t(thread)];
    const size_t doubles = (bytes + sizeof(double) - 1) / sizeof(double);
    if (memory.size() < doubles) memory.resize(doubles);
    return memory.data();
}

void* ThreadPool::shared(size_t bytes) {
    const size_t doubles = (bytes + sizeof(double) - 1) / sizeof(double);
    if (shared_.size() < doubles) shared_.resize(doubles);
    return shared_.data();
}

void ThreadPool::work(const Job& job, int thread) {
    const int64_t n_chunks = (job.n_items + job.chunk - 1) / job.chunk;
    for (;;) {
        const int64_t index = next_chunk_.fetch_add(1, std::memory_order_relaxed);
        if (index >= n_chunks) return;
        const int64_t begin = index * job.chunk;
        const int64_t end = begin + job.chunk < job.n_items ? begin + job.chunk : job.n_items;
        try {
            job.call(job.body, begin, end, thread);
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!error_) error_ = std::current_exception();
            next_chunk_.store(n_chunks, std::memory_order_relaxed);  // skip what is left
            return;
        }
    }
}

void ThreadPool::run(const Job& job) {
    const int64_t n_chunks = (job.n_items + job.chunk - 1) / job.chunk;
    if (workers_.empty() || n_chunks <= 1) {
        for (int64_t begin = 0; begin < job.n_items; begin += job.chunk) {
            job.call(job.body, begin, begin + job.chunk < job.n_items ? begin + job.chunk : job.n_items, 0);
        }
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        job_ = job;
        next_chunk_.store(0, std::memory_order_relaxed);
        pending_ = int(workers_.size());
        error_ = nullptr;
        ++generation_;
    }
    wake_.notify_all();
    work(job, 0);
    std::exception_ptr error;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        done_.wait(lock, [&] { return pending_ == 0; });
        error = error_;
        error_ = nullptr;
    }
    if (error) std::rethrow_exception(error);
}

// `seen` is the generation at start-up, passed in: reading it here could miss a job issued
// before this thread first runs.
void ThreadPool::worker_main(int thread, uint64_t seen) {
    for (;;) {
        Job job{};
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
            if (stop_) return;
            seen = generation_;
            job = job_;
        }
        work(job, thread);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (--pending_ == 0) done_.notify_one();
        }
    }
}

}  // namespace sy::refops
