#include "storage/FileHandle.h"

#include <algorithm>
#include <cerrno>

#include <unistd.h>

namespace swarmscope {

namespace {
// Linux moves at most about 2 GiB per call; asking for less keeps every platform's ssize_t happy.
constexpr qint64 MaxChunk = qint64(1) << 30;
} // namespace

FileHandle::~FileHandle() {
    if (m_fd >= 0)
        ::close(m_fd);
}

qint64 FileHandle::readAt(qint64 position, char* data, qint64 length) const {
    qint64 done = 0;
    while (done < length) {
        const ssize_t n =
            ::pread(m_fd, data + done, size_t(std::min(length - done, MaxChunk)), off_t(position + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        done += n;
    }
    return done;
}

bool FileHandle::writeAt(qint64 position, const char* data, qint64 length) const {
    qint64 done = 0;
    while (done < length) {
        const ssize_t n =
            ::pwrite(m_fd, data + done, size_t(std::min(length - done, MaxChunk)), off_t(position + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        if (n == 0) {
            // POSIX allows it for a full device; report it as one rather than spinning.
            errno = ENOSPC;
            return false;
        }
        done += n;
    }
    return true;
}

} // namespace swarmscope
