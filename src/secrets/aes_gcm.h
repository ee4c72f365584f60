// AES-256-GCM (OpenSSL EVP): authenticated encryption of the built-in store's values.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace berth::secrets {

constexpr size_t kAesKeyBytes = 32;
constexpr size_t kGcmNonceBytes = 12;
constexpr size_t kGcmTagBytes = 16;

// `bytes` random bytes from OpenSSL's CSPRNG; Internal if it fails.
Result<std::string> RandomBytes(size_t bytes);

// Encrypts `plaintext` with `key` (32 bytes) and `nonce` (12 bytes, never reused with the same
// key), authenticating `aad` too. Returns the ciphertext followed by the 16-byte tag.
Result<std::string> SealAesGcm(std::string_view key, std::string_view nonce,
                               std::string_view plaintext, std::string_view aad);

// The inverse of SealAesGcm. PermissionDenied when the tag does not verify: a wrong key, a
// changed ciphertext, nonce or `aad`. The message says which check failed, never any bytes.
Result<std::string> OpenAesGcm(std::string_view key, std::string_view nonce,
                               std::string_view sealed, std::string_view aad);

}  // namespace berth::secrets
