#pragma once

#include <QtGlobal>

namespace swarmscope {

// One open file descriptor with positional I/O. Positional calls (pread/pwrite) carry their own offset, so
// any number of threads can read and write one handle at once without a lock or a shared file position.
class FileHandle {
public:
    FileHandle(int fd, bool writable) : m_fd(fd), m_writable(writable) {}
    ~FileHandle();
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;

    int fd() const { return m_fd; }
    bool isWritable() const { return m_writable; }

    // Reads until length bytes arrived or the file ended; returns the count (short at end of file), or -1
    // with errno set. Retries EINTR and partial reads.
    qint64 readAt(qint64 position, char* data, qint64 length) const;
    // Writes all of data; returns false with errno set on failure. Retries EINTR and partial writes, so a
    // full disk shows up as ENOSPC on the retry rather than as a silent short write.
    bool writeAt(qint64 position, const char* data, qint64 length) const;

private:
    int m_fd;
    bool m_writable;
};

} // namespace swarmscope
