#include "server/tls.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdlib>

#include "base/files.h"

namespace berth::server {
namespace {

TEST(TlsTest, GeneratesSelfSignedCertForLocalhost) {
  char tmpl[] = "/tmp/berth-tls-test-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  auto t = TlsContexts::Load(dir + "/certs");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_NE((*t)->default_context(), nullptr);
  struct stat st;
  ASSERT_EQ(stat((dir + "/certs/default.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  FILE* f = fopen((dir + "/certs/default.crt").c_str(), "r");
  ASSERT_NE(f, nullptr);
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  fclose(f);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_host(cert, "localhost", 0, 0, nullptr), 1);
  // OpenSSL's own matcher refuses wildcards over a single label, so read the SAN list.
  std::vector<std::string> names;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(sans, i);
    if (n->type == GEN_DNS) {
      names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)));
    }
  }
  GENERAL_NAMES_free(sans);
  EXPECT_EQ(names, (std::vector<std::string>{"localhost", "*.localhost"}));
  EXPECT_EQ(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
  X509_free(cert);

  // A second load reuses the certificate instead of generating a new one.
  auto before = ReadFile(dir + "/certs/default.crt");
  ASSERT_TRUE(TlsContexts::Load(dir + "/certs").ok());
  EXPECT_EQ(*ReadFile(dir + "/certs/default.crt"), *before);
}

TEST(TlsTest, LoadsDomainCertificates) {
  char tmpl[] = "/tmp/berth-tls-test-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  ASSERT_TRUE(MakeDirs(dir).ok());
  ASSERT_TRUE(GenerateSelfSignedCert(dir + "/example.com.crt", dir + "/example.com.key").ok());
  auto t = TlsContexts::Load(dir);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->domain_count(), 1u);
  ASSERT_TRUE(WriteFileAtomic(dir + "/bad.com.crt", "junk").ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/bad.com.key", "junk").ok());
  auto bad = TlsContexts::Load(dir);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.com.crt"), std::string::npos);
}

}  // namespace
}  // namespace berth::server
