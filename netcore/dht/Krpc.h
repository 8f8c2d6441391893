#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <optional>

namespace swarmscope {

// KRPC (BEP 5): bencoded dictionaries over UDP. Queries ping, find_node, get_peers and announce_peer, their
// responses, and errors. IPv4 only: compact node info is 26 bytes (20 id, 4 address, 2 port), compact peer
// info 6. Parsing is strict and bounded; every refusal says what is wrong.
namespace krpc {
constexpr qsizetype kMaxDatagram = 1472;    // one Ethernet frame's UDP payload; longer is refused unread
constexpr int kMaxNodes = 16;               // compact nodes in one "nodes" string (8 in BEP 5; room for more)
constexpr int kMaxValues = 100;             // peers in one get_peers response
constexpr qsizetype kMaxTransactionId = 16; // bytes of "t"
constexpr qsizetype kMaxToken = 64;         // bytes of a token
constexpr qsizetype kMaxErrorMessage = 256;
constexpr int kIdSize = 20;
constexpr int kCompactNodeSize = 26;
constexpr int kCompactPeerSize = 6;
// BEP 5 error codes.
constexpr int kGenericError = 201;
constexpr int kServerError = 202;
constexpr int kProtocolError = 203;
constexpr int kMethodUnknown = 204;
} // namespace krpc

enum class KrpcKind { Query, Response, Error };
enum class KrpcMethod { Ping, FindNode, GetPeers, AnnouncePeer };

QByteArray krpcMethodName(KrpcMethod method);

struct DhtEndpoint {
    QHostAddress address;
    quint16 port = 0;
    bool operator==(const DhtEndpoint& other) const { return port == other.port && address == other.address; }
};

struct CompactNode {
    QByteArray id; // 20 bytes
    DhtEndpoint endpoint;
};

struct KrpcMessage {
    KrpcKind kind = KrpcKind::Query;
    QByteArray transactionId;
    // Query: the method and its arguments; "id" is the sender's node id (also in a response).
    KrpcMethod method = KrpcMethod::Ping;
    QByteArray id;
    QByteArray target;   // find_node
    QByteArray infoHash; // get_peers, announce_peer
    quint16 port = 0;    // announce_peer
    bool impliedPort = false;
    QByteArray token; // announce_peer; a get_peers response
    // Response.
    QList<CompactNode> nodes;
    QList<DhtEndpoint> values;
    // Error.
    int errorCode = 0;
    QByteArray errorMessage;
};

struct KrpcParseResult {
    std::optional<KrpcMessage> message;
    QString error; // what is wrong, when message is empty
    // What the sender should hear back when its query was refused: the code, and the transaction id to
    // answer on (empty when there is none to answer).
    int errorCode = krpc::kProtocolError;
    QByteArray transactionId;
    bool wasQuery = false;

    bool ok() const { return message.has_value(); }
};

KrpcParseResult parseKrpc(const QByteArray& datagram);
// Encodes a message; a message past the bounds above is a programming error and is cut to them.
QByteArray encodeKrpc(const KrpcMessage& message);
// An error reply on a transaction id.
QByteArray encodeKrpcError(const QByteArray& transactionId, int code, const QByteArray& message);

QByteArray encodeCompactNodes(const QList<CompactNode>& nodes);
// Null with *error when the length is not a multiple of 26, there are too many, or an entry is unusable.
std::optional<QList<CompactNode>> decodeCompactNodes(const QByteArray& data, QString* error);
QByteArray encodeCompactPeer(const DhtEndpoint& peer);
std::optional<DhtEndpoint> decodeCompactPeer(const QByteArray& data, QString* error);

} // namespace swarmscope
