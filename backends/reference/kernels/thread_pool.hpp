// A small persistent thread pool for the reference kernels, plus the scratch memory they reuse
// between ops.
//
// Ownership and lifetime: one pool per device. set_threads(n) starts n - 1 std::thread workers
// (the calling thread is the n-th); they sleep on a condition variable between jobs and are
// joined by the next set_threads or by the destructor (device_close, shutdown), so no plugin
// thread outlives its device. Default: 1 thread, no workers.
// Thread safety: the ABI drives a device from one host thread at a time; for_chunks and
// set_threads are called from that thread only. Inside a job, thread i may touch only its own
// scratch(i); shared() is sized before a job and only read (or written at disjoint places)
// inside it.
//
// Determinism: for_chunks hands chunks to whichever thread is free, so a kernel must make each
// output element depend only on its inputs, never on the thread or on the chunking. Every
// reference kernel computes an output element in one thread, in a fixed order: results are
// bit-identical for any thread count.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace sy::refops {

class ThreadPool {
public:
    static constexpr int32_t kMaxThreads = 1024;

    ThreadPool();
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    // Joins the current workers and starts n_threads - 1 new ones. 1 <= n_threads <= kMaxThreads
    // (else Failure INVALID_ARGUMENT). If a thread cannot be started the pool falls back to 1.
    void set_threads(int32_t n_threads);
    int32_t threads() const { return n_threads_; }

    // Calls body(begin, end, thread) over [0, n_items) in chunks of `chunk` items (the last one
    // may be shorter). Chunks run on the pool's threads and on the caller (thread 0); the call
    // returns when all are done. An exception thrown by body stops the remaining chunks and is
    // rethrown here (the first one, if several threads throw).
    template <class Body>
    void for_chunks(int64_t n_items, int64_t chunk, Body& body) {
        if (n_items <= 0) return;
        Job job{&call_body<Body>, &body, n_items, chunk < 1 ? 1 : chunk};
        run(job);
    }

    // A chunk size that gives every thread a few chunks to balance load, and at least
    // min_chunk items per chunk (so tiny jobs stay on one thread).
    int64_t chunk_size(int64_t n_items, int64_t min_chunk) const;

    // Scratch memory of at least `bytes` for thread `thread` (< threads()), 16-byte aligned.
    // Valid until the next scratch(thread, ...) call; contents undefined. Grows, never shrinks.
    void* scratch(int thread, size_t bytes);
    template <class T>
    T* scratch_as(int thread, size_t count) {
        return static_cast<T*>(scratch(thread, count * sizeof(T)));
    }

    // Scratch shared by all threads of one op (converted activations, widened caches).
    // Call from the driving thread, before the job that uses it.
    void* shared(size_t bytes);

private:
    struct Job {
        void (*call)(void* body, int64_t begin, int64_t end, int thread);
        void* body;
        int64_t n_items;
        int64_t chunk;
    };
    template <class Body>
    static void call_body(void* body, int64_t begin, int64_t end, int thread) {
        (*static_cast<Body*>(body))(begin, end, thread);
    }

    void run(const Job& job);
    void work(const Job& job, int thread);  // takes chunks until none is left
    void worker_main(int thread, uint64_t seen);
    void stop_workers();

    int32_t n_threads_ = 1;
    std::vector<std::thread> workers_;
    std::vector<std::vector<double>> scratch_;  // per thread; double for 8-byte alignment
    std::vector<double> shared_;

    std::mutex mutex_;
    std::condition_variable wake_;  // workers wait here for a new job or for stop_
    std::condition_variable done_;  // the caller waits here for pending_ == 0
    Job job_{};
    uint64_t generation_ = 0;  // bumped for every job handed to the workers
    int pending_ = 0;          // workers still inside the current job
    bool stop_ = false;
    std::atomic<int64_t> next_chunk_{0};
    std::exception_ptr error_;
};

}  // namespace sy::refops
