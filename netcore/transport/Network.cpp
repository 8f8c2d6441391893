#include "transport/Network.h"

namespace swarmscope {

// Out of line, so the vtables have one home.
ByteStream::~ByteStream() = default;
Listener::~Listener() = default;
Network::~Network() = default;

} // namespace swarmscope
