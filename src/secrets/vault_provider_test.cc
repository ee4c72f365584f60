// VaultProvider against testdata/fake_vault.py, a small Vault-KV-compatible HTTP(S) endpoint
// started on loopback: HashiCorp Vault itself is not packaged for Debian, so the tests cannot
// run the real server. The fake follows Vault's documented API for what Berth uses: KV v1 and
// v2 reads, /v1/sys/internal/ui/mounts, X-Vault-Token and its 403.
#include "secrets/vault_provider.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <optional>

#include "base/process.h"

namespace berth::secrets {
namespace {

constexpr const char* kToken = "test-root-token";

class FakeVault {
 public:
  explicit FakeVault(std::vector<std::string> args = {}) {
    SpawnOptions o;
    o.argv = {"python3", std::string(BERTH_SOURCE_DIR) + "/src/secrets/testdata/fake_vault.py"};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.stdout_to = Redirect::Pipe();
    auto child = ChildProcess::Spawn(o);
    EXPECT_TRUE(child.ok()) << child.status().ToString();
    if (!child.ok()) return;
    child_.emplace(std::move(*child));
    int fd = child_->TakeStdout();
    std::string line;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
    ::close(fd);
    port_ = std::atoi(line.c_str());
    EXPECT_GT(port_, 0) << "fake_vault.py did not start";
  }
  int port() const { return port_; }

 private:
  std::optional<ChildProcess> child_;  // killed and reaped by its destructor
  int port_ = -1;
};

std::unique_ptr<SecretProvider> Provider(const std::string& address,
                                         const std::string& token = kToken,
                                         ProviderConfig extra = {}) {
  extra["address"] = address;
  extra["token"] = token;
  auto p = VaultProvider::Create("vault_test", extra);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(*p) : nullptr;
}

// Every error must name the provider and never contain a stored value.
void ExpectCleanError(const Status& s) {
  EXPECT_NE(s.message().find("provider \"vault_test\""), std::string::npos) << s.message();
  for (const char* value : {"s3cret", "v1-", "v2-"}) {
    EXPECT_EQ(s.message().find(value), std::string::npos) << s.message();
  }
}

void ExpectReadsBothVersions(SecretProvider& p) {
  auto v2 = p.Get({"secret/app/db"});
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(*v2, "v2-s3cret&<>");
  EXPECT_EQ(*p.Get({"secret", "app", "db"}), "v2-s3cret&<>");
  auto v1 = p.Get({"kv", "app", "db"});
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(*v1, "v1-s3cret");
  EXPECT_EQ(*p.Get({"kv/app/num"}), "42");
}

TEST(VaultProviderTest, ReadsKvV1AndV2FoundThroughTheMountsEndpoint) {
  FakeVault vault;
  auto p = Provider("http://127.0.0.1:" + std::to_string(vault.port()));
  ASSERT_TRUE(p);
  ExpectReadsBothVersions(*p);
}

TEST(VaultProviderTest, ReadsKvV1AndV2ByTryingPathsWhenMountsAreNotAllowed) {
  FakeVault vault({"--no-ui-mounts"});
  auto p = Provider("http://127.0.0.1:" + std::to_string(vault.port()));
  ASSERT_TRUE(p);
  ExpectReadsBothVersions(*p);
}

TEST(VaultProviderTest, MissingSecretWrongTokenAndSeveralKeys) {
  FakeVault vault;
  std::string address = "http://127.0.0.1:" + std::to_string(vault.port());
  auto p = Provider(address);
  ASSERT_TRUE(p);
  auto missing = p->Get({"secret/app/nope"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "secret \"secret/app/nope\" from provider \"vault_test\": "
            "no such secret in Vault at " +
                address);
  auto two = p->Get({"secret/app/two"});
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(two.status().message(),
            "secret \"secret/app/two\" from provider \"vault_test\": the "
            "secret holds 2 keys (a, b); it must hold exactly one");

  auto wrong = Provider(address, "wrong-token");
  auto denied = wrong->Get({"secret/app/db"});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(denied.status().message(),
            "secret \"secret/app/db\" from provider \"vault_test\": Vault at " + address +
                " refused the token (403: permission denied)");
  ExpectCleanError(denied.status());
  EXPECT_EQ(denied.status().message().find("wrong-token"), std::string::npos);
}

TEST(VaultProviderTest, UnreachableAddressIsNamed) {
  std::string address;
  {
    FakeVault gone;  // its port, closed once the fake has been killed
    address = "http://127.0.0.1:" + std::to_string(gone.port());
  }
  auto p = Provider(address, kToken, {{"connect_timeout_secs", "2"}});
  auto r = p->Get({"secret/app/db"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(r.status().message().rfind("secret \"secret/app/db\" from provider \"vault_test\": "
                                       "Vault at " +
                                           address + ": cannot connect: ",
                                       0),
            0u)
      << r.status().message();
}

TEST(VaultProviderTest, HttpsVerifiesTheCertificateAndTheHostName) {
  char dir[] = "/tmp/berth-vault-tls-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  std::string cert = std::string(dir) + "/cert.pem", key = std::string(dir) + "/key.pem";
  ProcessOptions gen;
  gen.argv = {"openssl",  "req",
              "-x509",    "-newkey",
              "rsa:2048", "-nodes",
              "-days",    "1",
              "-subj",    "/CN=localhost",
              "-addext",  "subjectAltName=DNS:localhost",
              "-keyout",  key,
              "-out",     cert};
  auto made = RunProcess(gen);
  ASSERT_TRUE(made.ok() && made->exit_code == 0) << (made.ok() ? made->err : "");
  FakeVault vault({"--tls", cert, key});
  std::string port = std::to_string(vault.port());

  // Self-signed: not in the system CA store.
  auto untrusted = Provider("https://localhost:" + port);
  auto r = untrusted->Get({"secret/app/db"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(
      r.status().message().find("Vault at https://localhost:" + port + ": TLS handshake failed"),
      std::string::npos)
      << r.status().message();

  // Trusted through ca_file, under the name the certificate carries.
  auto trusted = Provider("https://localhost:" + port, kToken, {{"ca_file", cert}});
  auto ok = trusted->Get({"secret/app/db"});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, "v2-s3cret&<>");

  // Trusted, but the address's host (127.0.0.1) is not the certificate's name.
  auto mismatch = Provider("https://127.0.0.1:" + port, kToken, {{"ca_file", cert}});
  auto bad = mismatch->Get({"secret/app/db"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("TLS handshake failed"), std::string::npos)
      << bad.status().message();
}

TEST(VaultProviderTest, ConfigErrorsNameTheSection) {
  struct Case {
    ProviderConfig config;
    std::string message;
  };
  const Case cases[] = {
      {{{"token", "t"}},
       "[secret.vault_x]: address is required, e.g. \"https://vault.example:8200\""},
      {{{"address", "http://h:8200"}}, "[secret.vault_x]: token is required"},
      {{{"address", "ftp://h"}, {"token", "t"}},
       "[secret.vault_x]: address \"ftp://h\" must start with http:// or https://"},
      {{{"address", "http://h:8200/v1"}, {"token", "t"}},
       "[secret.vault_x]: address \"http://h:8200/v1\" must be scheme://host[:port] only"},
      {{{"address", "http://h:99999"}, {"token", "t"}},
       "[secret.vault_x]: address \"http://h:99999\" needs a host and a port from 1 to 65535"},
      {{{"address", "http://h"}, {"token", "t"}, {"read_timeout_secs", "0"}},
       "[secret.vault_x]: read_timeout_secs must be a whole number of seconds from 1 to 3600"},
      {{{"address", "http://h"}, {"token", "t"}, {"adress", "x"}},
       "[secret.vault_x]: unknown key adress (did you mean address?); known keys: address, "
       "token, keys_printf, ca_file, connect_timeout_secs, read_timeout_secs"},
  };
  for (const auto& c : cases) {
    auto p = VaultProvider::Create("vault_x", c.config);
    ASSERT_FALSE(p.ok()) << c.message;
    EXPECT_EQ(p.status().message(), c.message);
  }
  EXPECT_TRUE(
      VaultProvider::Create("vault_x", {{"address", "https://[::1]:8200/"}, {"token", "t"}}).ok());
}

}  // namespace
}  // namespace berth::secrets
