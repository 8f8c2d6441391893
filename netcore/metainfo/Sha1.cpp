#include "metainfo/Sha1.h"

#include <openssl/evp.h>

namespace swarmscope {

QByteArray sha1(const char* data, qsizetype size) {
    QByteArray out(20, Qt::Uninitialized);
    unsigned int length = 0;
    EVP_Digest(data, size_t(size), reinterpret_cast<unsigned char*>(out.data()), &length, EVP_sha1(),
               nullptr);
    return out;
}

Sha1Hasher::Sha1Hasher() : m_ctx(EVP_MD_CTX_new()) {
    EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(m_ctx), EVP_sha1(), nullptr);
}

Sha1Hasher::~Sha1Hasher() {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(m_ctx));
}

void Sha1Hasher::add(const char* data, qsizetype size) {
    EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(m_ctx), data, size_t(size));
}

QByteArray Sha1Hasher::result() {
    QByteArray out(20, Qt::Uninitialized);
    unsigned int length = 0;
    auto* ctx = static_cast<EVP_MD_CTX*>(m_ctx);
    EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()), &length);
    EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
    return out;
}

} // namespace swarmscope
