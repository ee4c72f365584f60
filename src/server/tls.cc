#include "server/tls.h"

#include <dirent.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>

#include "base/files.h"
#include "base/strings.h"

namespace berth::server {

namespace {

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  return buf;
}

Result<SSL_CTX*> MakeContext(const std::string& cert, const std::string& key) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return Status::Internal("SSL_CTX_new: " + OpenSslError());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  static const unsigned char kSessionId[] = "berth";
  SSL_CTX_set_session_id_context(ctx, kSessionId, sizeof(kSessionId) - 1);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    std::string err = OpenSslError();
    SSL_CTX_free(ctx);
    return Status::InvalidArgument("cannot load certificate " + cert + ": " + err);
  }
  return ctx;
}

bool AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

}  // namespace

Status GenerateSelfSignedCert(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  if (!pkey) return Status::Internal("key generation failed: " + OpenSslError());
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), static_cast<long>(std::time(nullptr)));
  X509_set_version(cert, 2);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert, pkey);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Berth"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  bool ok = AddExtension(cert, NID_subject_alt_name,
                         "DNS:localhost,DNS:*.localhost,IP:127.0.0.1,IP:::1") &&
            AddExtension(cert, NID_basic_constraints, "critical,CA:FALSE") &&
            AddExtension(cert, NID_key_usage, "critical,digitalSignature") &&
            AddExtension(cert, NID_ext_key_usage, "serverAuth") &&
            X509_sign(cert, pkey, EVP_sha256()) > 0;
  std::string cert_pem, key_pem;
  if (ok) {
    BIO* cb = BIO_new(BIO_s_mem());
    BIO* kb = BIO_new(BIO_s_mem());
    ok = PEM_write_bio_X509(cb, cert) == 1 &&
         PEM_write_bio_PrivateKey(kb, pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    char* data = nullptr;
    long n = BIO_get_mem_data(cb, &data);
    cert_pem.assign(data, static_cast<size_t>(n));
    n = BIO_get_mem_data(kb, &data);
    key_pem.assign(data, static_cast<size_t>(n));
    BIO_free(cb);
    BIO_free(kb);
  }
  std::string err = ok ? "" : OpenSslError();
  X509_free(cert);
  EVP_PKEY_free(pkey);
  if (!ok) return Status::Internal("certificate generation failed: " + err);
  BERTH_RETURN_IF_ERROR(WriteFileAtomic(key_path, key_pem, 0600));
  return WriteFileAtomic(cert_path, cert_pem, 0644);
}

Result<std::unique_ptr<TlsContexts>> TlsContexts::Load(const std::string& cert_dir) {
  BERTH_RETURN_IF_ERROR(MakeDirs(cert_dir, 0700));
  std::string default_cert = cert_dir + "/default.crt";
  std::string default_key = cert_dir + "/default.key";
  if (!PathExists(default_cert) || !PathExists(default_key)) {
    BERTH_RETURN_IF_ERROR(GenerateSelfSignedCert(default_cert, default_key));
  }
  std::unique_ptr<TlsContexts> t(new TlsContexts());
  BERTH_ASSIGN_OR_RETURN(t->default_, MakeContext(default_cert, default_key));
  if (DIR* dir = opendir(cert_dir.c_str())) {
    while (dirent* e = readdir(dir)) {
      std::string file = e->d_name;
      if (!EndsWith(file, ".crt") || file == "default.crt") continue;
      std::string domain = ToLower(file.substr(0, file.size() - 4));
      std::string key = cert_dir + "/" + file.substr(0, file.size() - 4) + ".key";
      if (!PathExists(key)) continue;
      auto ctx = MakeContext(cert_dir + "/" + file, key);
      if (!ctx.ok()) {
        closedir(dir);
        return ctx.status();
      }
      t->by_domain_[domain] = *ctx;
    }
    closedir(dir);
  }
  SSL_CTX_set_tlsext_servername_callback(t->default_, &TlsContexts::OnServerName);
  SSL_CTX_set_tlsext_servername_arg(t->default_, t.get());
  return t;
}

TlsContexts::~TlsContexts() {
  for (auto& [name, ctx] : by_domain_) SSL_CTX_free(ctx);
  if (default_) SSL_CTX_free(default_);
}

SSL_CTX* TlsContexts::ForName(const std::string& name) const {
  auto it = by_domain_.find(name);
  if (it != by_domain_.end()) return it->second;
  size_t dot = name.find('.');
  if (dot != std::string::npos) {
    it = by_domain_.find("_wildcard" + name.substr(dot));
    if (it != by_domain_.end()) return it->second;
  }
  return nullptr;
}

int TlsContexts::OnServerName(SSL* ssl, int* alert, void* arg) {
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (!name) return SSL_TLSEXT_ERR_NOACK;
  auto* self = static_cast<TlsContexts*>(arg);
  if (SSL_CTX* ctx = self->ForName(ToLower(name))) SSL_set_SSL_CTX(ssl, ctx);
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace berth::server
