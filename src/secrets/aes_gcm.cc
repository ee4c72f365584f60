#include "secrets/aes_gcm.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

namespace berth::secrets {

namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Status CheckSizes(std::string_view key, std::string_view nonce) {
  if (key.size() != kAesKeyBytes) return Status::Internal("AES-256-GCM needs a 32-byte key");
  if (nonce.size() != kGcmNonceBytes) return Status::Internal("AES-GCM needs a 12-byte nonce");
  return Status::Ok();
}

}  // namespace

Result<std::string> RandomBytes(size_t bytes) {
  std::string out(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(bytes)) != 1) {
    return Status::Internal("the random number generator failed");
  }
  return out;
}

Result<std::string> SealAesGcm(std::string_view key, std::string_view nonce,
                               std::string_view plaintext, std::string_view aad) {
  BERTH_RETURN_IF_ERROR(CheckSizes(key, nonce));
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  std::string out(plaintext.size() + kGcmTagBytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key), U(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), o, &len, U(plaintext), static_cast<int>(plaintext.size())) !=
          1) {
    return Status::Internal("AES-GCM encryption failed");
  }
  int total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), o + total, &len) != 1) {
    return Status::Internal("AES-GCM encryption failed");
  }
  total += len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagBytes, o + total) != 1) {
    return Status::Internal("AES-GCM encryption failed");
  }
  out.resize(static_cast<size_t>(total) + kGcmTagBytes);
  return out;
}

Result<std::string> OpenAesGcm(std::string_view key, std::string_view nonce,
                               std::string_view sealed, std::string_view aad) {
  BERTH_RETURN_IF_ERROR(CheckSizes(key, nonce));
  if (sealed.size() < kGcmTagBytes) {
    return Status::PermissionDenied("the encrypted value is truncated");
  }
  std::string_view body = sealed.substr(0, sealed.size() - kGcmTagBytes);
  std::string tag(sealed.substr(body.size()));
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  std::string out(body.size() + 1, '\0');  // +1: never a zero-length buffer
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key), U(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), o, &len, U(body), static_cast<int>(body.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagBytes, tag.data()) != 1) {
    return Status::Internal("AES-GCM decryption failed");
  }
  int total = len;
  if (EVP_DecryptFinal_ex(ctx.get(), o + total, &len) != 1) {
    return Status::PermissionDenied(
        "the encrypted value does not verify (wrong key, or the database was changed)");
  }
  total += len;
  out.resize(static_cast<size_t>(total));
  return out;
}

}  // namespace berth::secrets
