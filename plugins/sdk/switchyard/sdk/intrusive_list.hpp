// A doubly linked list threaded through the objects themselves, so a plugin can track what
// it handed out (devices, buffers) without allocating. Lets a plugin check that a handle the
// host passes back is one of its own before touching it, and free leftovers at shutdown.
// Not thread-safe; the owner serializes access.
#pragma once

#include <cstddef>

namespace sy::sdk {

template <class T>
struct ListNode {
    T* list_prev = nullptr;
    T* list_next = nullptr;
};

template <class T>
class IntrusiveList {
public:
    void push_front(T* item) {
        item->list_prev = nullptr;
        item->list_next = head_;
        if (head_ != nullptr) head_->list_prev = item;
        head_ = item;
        ++size_;
    }

    // `item` must be in this list.
    void remove(T* item) {
        if (item->list_prev != nullptr) item->list_prev->list_next = item->list_next;
        if (item->list_next != nullptr) item->list_next->list_prev = item->list_prev;
        if (head_ == item) head_ = item->list_next;
        item->list_prev = item->list_next = nullptr;
        --size_;
    }

    // Compares addresses only, so it is safe for pointers of unknown origin.
    T* find(const void* address) const {
        for (T* item = head_; item != nullptr; item = item->list_next) {
            if (static_cast<const void*>(item) == address) return item;
        }
        return nullptr;
    }

    T* front() const { return head_; }
    size_t size() const { return size_; }
    bool empty() const { return head_ == nullptr; }

private:
    T* head_ = nullptr;
    size_t size_ = 0;
};

}  // namespace sy::sdk
