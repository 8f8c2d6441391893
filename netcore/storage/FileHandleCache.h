#pragma once

#include "storage/FileHandle.h"

#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace swarmscope {

// A bounded, least-recently-used set of open files. A torrent can hold thousands of files and a lab process
// runs hundreds of torrents, so keeping every file open would exhaust the descriptor limit; keeping none open
// would cost an open() per 16 KiB block.
//
// Handles are shared pointers: evicting one only drops the cache's reference, so a thread still reading
// through it finishes safely and the descriptor closes after it. Several storages may share one cache (the
// peer engine can give one cache to all torrents of a client to bound the client's total); entries are keyed
// by owner so storages never see each other's handles. Thread-safe.
class FileHandleCache {
public:
    using Handle = std::shared_ptr<const FileHandle>;

    static constexpr int DefaultCapacity = 16;

    explicit FileHandleCache(int capacity = DefaultCapacity);
    FileHandleCache(const FileHandleCache&) = delete;
    FileHandleCache& operator=(const FileHandleCache&) = delete;

    int capacity() const { return m_capacity; }
    int size() const;

    // The cached handle for (owner, file), or null. When needWritable is set, a read-only handle does not
    // count.
    Handle find(const void* owner, int file, bool needWritable);
    // Caches a freshly opened handle and returns the one to use: the existing entry if another thread cached
    // an equally capable handle meanwhile (the new one then closes), otherwise handle.
    Handle insert(const void* owner, int file, Handle handle);
    // Forgets every handle of owner, e.g. when its storage closes or changes mode.
    void evictOwner(const void* owner);

private:
    struct Key {
        const void* owner;
        int file;
        bool operator==(const Key& other) const = default;
    };
    struct KeyHash {
        size_t operator()(const Key& key) const {
            return std::hash<const void*>()(key.owner) ^ (std::hash<int>()(key.file) * 0x9e3779b97f4a7c15ULL);
        }
    };
    struct Entry {
        Key key;
        Handle handle;
    };

    const int m_capacity;
    mutable std::mutex m_mutex;
    std::list<Entry> m_lru; // most recently used first
    std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> m_index;
};

} // namespace swarmscope
