#include "secrets/secret_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base/files.h"
#include "store/migrations.h"

namespace berth::secrets {
namespace {

class SecretStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = "/tmp/berth-secretstore-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_.data()), nullptr);
    db_path_ = dir_ + "/berth.db";
    auto db = store::Database::Open(db_path_);
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    ASSERT_TRUE(store::Migrate(*db_).ok());
    key_file_ = dir_ + "/config/secret.key";
    store_ = std::make_unique<SecretStore>(*db_, key_file_);
  }
  int Mode(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return -1;
    return static_cast<int>(st.st_mode & 0777);
  }
  // The database's bytes, WAL included.
  std::string DbBytes() {
    std::string all = ReadFile(db_path_).value_or("");
    all += ReadFile(db_path_ + "-wal").value_or("");
    return all;
  }

  std::string dir_, db_path_, key_file_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<SecretStore> store_;
};

TEST_F(SecretStoreTest, PutGetListDeleteAndTheKeyFile) {
  EXPECT_FALSE(PathExists(key_file_));
  auto created = store_->Put("db", "DB_PASS", "pl41nt3xt-v4lue");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(*created);
  EXPECT_EQ(Mode(key_file_), 0600);
  EXPECT_EQ(Mode(dir_ + "/config"), 0700);
  EXPECT_EQ(ReadFile(key_file_)->size(), 32u);
  EXPECT_EQ(*store_->Get("db", "DB_PASS"), "pl41nt3xt-v4lue");
  EXPECT_FALSE(*store_->Put("db", "DB_PASS", "s3cond-v4lue"));  // replaced
  EXPECT_EQ(*store_->Get("db", "DB_PASS"), "s3cond-v4lue");
  ASSERT_TRUE(store_->Put("db_other", "A", "x").ok());
  auto all = store_->List("");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].provider, "db");
  EXPECT_EQ((*all)[0].name, "DB_PASS");
  EXPECT_EQ((*all)[0].created_at.size(), 20u);
  EXPECT_EQ(store_->List("db_other")->size(), 1u);
  EXPECT_EQ(DbBytes().find("v4lue"), std::string::npos) << "a value is in the database in clear";

  auto other = store_->Get("db_other", "DB_PASS");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(other.status().message(),
            "secret \"DB_PASS\" from provider \"db_other\": no such secret (see berth secret "
            "list db_other)");
  ASSERT_TRUE(store_->Delete("db", "DB_PASS").ok());
  EXPECT_EQ(store_->Delete("db", "DB_PASS").code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->Get("db", "DB_PASS").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->Put("db", "", "x").status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(store_->Put("db", "a\nb", "x").status().code(), Status::Code::kInvalidArgument);
}

TEST_F(SecretStoreTest, RefusesAKeyFileOthersMayRead) {
  ASSERT_TRUE(store_->Put("db", "K", "value").ok());
  ASSERT_EQ(::chmod(key_file_.c_str(), 0640), 0);
  auto r = store_->Get("db", "K");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kPermissionDenied);
  EXPECT_NE(r.status().message().find("has mode 640"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("chmod 600 " + key_file_), std::string::npos);
  EXPECT_EQ(store_->Put("db", "K2", "v").status().code(), Status::Code::kPermissionDenied);
  ASSERT_EQ(::chmod(key_file_.c_str(), 0600), 0);
  EXPECT_EQ(*store_->Get("db", "K"), "value");
}

TEST_F(SecretStoreTest, WrongOrMissingKeyIsNamedNotMistakenForCorruption) {
  ASSERT_TRUE(store_->Put("db", "K", "value").ok());
  std::string original = *ReadFile(key_file_);
  ASSERT_TRUE(WriteFileAtomic(key_file_, std::string(32, 'k'), 0600).ok());
  auto r = store_->Get("db", "K");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("it was encrypted with key " + KeyId(original)),
            std::string::npos)
      << r.status().message();
  ASSERT_EQ(::unlink(key_file_.c_str()), 0);
  auto put = store_->Put("db", "K2", "v");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(put.status().message().find("is missing but the database holds 1"), std::string::npos);
  EXPECT_FALSE(PathExists(key_file_)) << "no new key may replace a lost one";
}

TEST_F(SecretStoreTest, TamperedRowFailsToOpen) {
  ASSERT_TRUE(store_->Put("db", "A", "value-a").ok());
  ASSERT_TRUE(store_->Put("db", "B", "value-b").ok());
  // Move B's encrypted value onto A: the tag covers the name, so A does not open.
  ASSERT_TRUE(db_->Exec("UPDATE secrets SET nonce = (SELECT nonce FROM secrets WHERE name='B'), "
                        "ciphertext = (SELECT ciphertext FROM secrets WHERE name='B') "
                        "WHERE name = 'A'")
                  .ok());
  auto r = store_->Get("db", "A");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(r.status().message().find("value-"), std::string::npos);
}

TEST_F(SecretStoreTest, RekeyReencryptsEveryValueUnderANewKey) {
  ASSERT_TRUE(store_->Put("db", "A", "value-a").ok());
  ASSERT_TRUE(store_->Put("db_x", "B", "value-b").ok());
  std::string old_key = *ReadFile(key_file_);
  auto ciphertext = [&](const std::string& name) {
    auto st = db_->Prepare("SELECT ciphertext FROM secrets WHERE name = ?");
    st.Bind(1, name);
    EXPECT_TRUE(st.Step());
    return st.ColumnText(0);
  };
  std::string before = ciphertext("A");
  auto n = store_->Rekey();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  std::string new_key = *ReadFile(key_file_);
  EXPECT_NE(new_key, old_key);
  EXPECT_EQ(Mode(key_file_), 0600);
  EXPECT_FALSE(PathExists(key_file_ + ".old"));
  EXPECT_FALSE(PathExists(key_file_ + ".new"));
  EXPECT_NE(ciphertext("A"), before);
  EXPECT_EQ(*store_->Get("db", "A"), "value-a");
  EXPECT_EQ(*store_->Get("db_x", "B"), "value-b");
  // The old key opens nothing any more.
  ASSERT_TRUE(WriteFileAtomic(key_file_, old_key, 0600).ok());
  EXPECT_FALSE(store_->Get("db", "A").ok());
}

TEST_F(SecretStoreTest, RekeyInterruptedAfterCommitIsFinishedByTheNextOperation) {
  ASSERT_TRUE(store_->Put("db", "A", "value-a").ok());
  std::string old_key = *ReadFile(key_file_);
  store_->StopRekeyAfterCommitForTest();
  ASSERT_FALSE(store_->Rekey().ok());
  EXPECT_TRUE(PathExists(key_file_ + ".new"));
  EXPECT_TRUE(PathExists(key_file_ + ".old"));
  EXPECT_EQ(*ReadFile(key_file_), old_key);
  // A fresh store (a restarted server) sees rows under the .new key and installs it.
  SecretStore again(*db_, key_file_);
  EXPECT_EQ(*again.Get("db", "A"), "value-a");
  EXPECT_NE(*ReadFile(key_file_), old_key);
  EXPECT_FALSE(PathExists(key_file_ + ".new"));
  EXPECT_FALSE(PathExists(key_file_ + ".old"));
}

TEST_F(SecretStoreTest, RekeyInterruptedBeforeCommitKeepsTheOldKey) {
  ASSERT_TRUE(store_->Put("db", "A", "value-a").ok());
  std::string old_key = *ReadFile(key_file_);
  // What a crash inside the transaction leaves: both files written, no row changed.
  ASSERT_TRUE(WriteFileAtomic(key_file_ + ".new", std::string(32, 'n'), 0600).ok());
  ASSERT_TRUE(WriteFileAtomic(key_file_ + ".old", old_key, 0600).ok());
  EXPECT_EQ(*store_->Get("db", "A"), "value-a");
  EXPECT_EQ(*ReadFile(key_file_), old_key);
  EXPECT_FALSE(PathExists(key_file_ + ".new"));
  EXPECT_FALSE(PathExists(key_file_ + ".old"));
}

TEST_F(SecretStoreTest, RekeyWithoutAnyKeyCreatesOne) {
  auto n = store_->Rekey();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(Mode(key_file_), 0600);
}

}  // namespace
}  // namespace berth::secrets
