// TLS set-up for the HTTPS listener: certificates from the cert folder, chosen by SNI, with a
// generated self-signed certificate for localhost and *.localhost as the fallback.
#pragma once

#include <openssl/ssl.h>

#include <map>
#include <memory>
#include <string>

#include "base/status.h"

namespace berth::server {

// Writes a self-signed certificate (EC P-256, SHA-256, ten years) for localhost, *.localhost,
// 127.0.0.1 and ::1 to cert_path/key_path (the key with mode 0600).
Status GenerateSelfSignedCert(const std::string& cert_path, const std::string& key_path);

// Owns one SSL_CTX per certificate. The default context serves connections whose SNI name
// matches no <domain>.crt in the folder; an SNI callback switches to the domain's context
// (an exact match first, then a wildcard "_wildcard.<parent>.crt" for any direct subdomain).
class TlsContexts {
 public:
  // Loads every <name>.crt/<name>.key pair in `cert_dir`; creates default.crt/default.key
  // (self-signed) there when absent.
  static Result<std::unique_ptr<TlsContexts>> Load(const std::string& cert_dir);
  ~TlsContexts();

  SSL_CTX* default_context() const { return default_; }
  size_t domain_count() const { return by_domain_.size(); }

 private:
  TlsContexts() = default;
  static int OnServerName(SSL* ssl, int* alert, void* arg);
  SSL_CTX* ForName(const std::string& name) const;

  SSL_CTX* default_ = nullptr;
  std::map<std::string, SSL_CTX*> by_domain_;
};

}  // namespace berth::server
