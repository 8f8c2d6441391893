#include "storage/FileHandleCache.h"

#include <algorithm>
#include <utility>

namespace swarmscope {

FileHandleCache::FileHandleCache(int capacity) : m_capacity(std::max(1, capacity)) {}

int FileHandleCache::size() const {
    std::lock_guard lock(m_mutex);
    return int(m_lru.size());
}

FileHandleCache::Handle FileHandleCache::find(const void* owner, int file, bool needWritable) {
    std::lock_guard lock(m_mutex);
    const auto it = m_index.find(Key{owner, file});
    if (it == m_index.end())
        return {};
    if (needWritable && !it->second->handle->isWritable())
        return {};
    m_lru.splice(m_lru.begin(), m_lru, it->second);
    return it->second->handle;
}

FileHandleCache::Handle FileHandleCache::insert(const void* owner, int file, Handle handle) {
    Handle dropped; // released after the lock, so a close() never runs under it
    std::lock_guard lock(m_mutex);
    const Key key{owner, file};
    const auto it = m_index.find(key);
    if (it != m_index.end()) {
        m_lru.splice(m_lru.begin(), m_lru, it->second);
        if (it->second->handle->isWritable() || !handle->isWritable()) {
            dropped = std::move(handle);
            return it->second->handle;
        }
        dropped = std::exchange(it->second->handle, handle);
        return handle;
    }
    m_lru.push_front(Entry{key, handle});
    m_index.emplace(key, m_lru.begin());
    while (int(m_lru.size()) > m_capacity) {
        m_index.erase(m_lru.back().key);
        dropped = std::move(m_lru.back().handle);
        m_lru.pop_back();
    }
    return handle;
}

void FileHandleCache::evictOwner(const void* owner) {
    std::list<Entry> removed;
    std::lock_guard lock(m_mutex);
    for (auto it = m_lru.begin(); it != m_lru.end();) {
        const auto next = std::next(it);
        if (it->key.owner == owner) {
            m_index.erase(it->key);
            removed.splice(removed.end(), m_lru, it);
        }
        it = next;
    }
}

} // namespace swarmscope
