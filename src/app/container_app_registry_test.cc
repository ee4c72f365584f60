#include "app/container_app_registry.h"

#include <gtest/gtest.h>

#include <thread>

#include "container/fake_runtime.h"

namespace berth::app {
namespace {

class RegistryVolumes : public ::testing::Test {
 protected:
  RegistryVolumes() {
    auto runtime = std::make_unique<container::FakeRuntime>();
    fake_ = runtime.get();
    registry_ = std::make_unique<ContainerAppRegistry>(ContainerAppRegistry::Options{"/h"},
                                                       std::move(runtime), "", resolver_,
                                                       RealClock::Instance());
    Volume("berth-app_prd_a-data", "app_prd_a", "/h");
    Volume("berth-app_prd_a-cache", "app_prd_a", "/h");
    Volume("berth-app_stg_a-data", "app_stg_a", "/h");
    Volume("berth-app_prd_b-data", "app_prd_b", "/h");
    Volume("berth-app_prd_c-data", "app_prd_c", "/other-home");
  }

  void Volume(const std::string& name, const std::string& app_id, const std::string& home) {
    ASSERT_TRUE(fake_->VolumeCreate(name, {{kLabelAppId, app_id}, {kLabelHome, home}}).ok());
  }

  static store::AppRecord Record(const std::string& id) {
    store::AppRecord r;
    r.id = id;
    return r;
  }

  // Forget runs in the background: wait (bounded) until `name` is gone.
  bool Gone(const std::string& name) {
    for (int i = 0; i < 1000; ++i) {
      if (!*fake_->VolumeExists(name)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  appspec::SpecLibrary library_{"/nonexistent-berth-specs"};
  SpecResolver resolver_{library_, {}};
  container::FakeRuntime* fake_ = nullptr;
  std::unique_ptr<ContainerAppRegistry> registry_;
};

TEST_F(RegistryVolumes, ListsByAppAndByHome) {
  EXPECT_EQ(*registry_->VolumesOf("app_prd_a"),
            (std::vector<std::string>{"berth-app_prd_a-cache", "berth-app_prd_a-data"}));
  EXPECT_TRUE(registry_->VolumesOf("app_prd_zzz")->empty());
  EXPECT_EQ(registry_->AllVolumes()->size(), 4u) << "not the other home's";
  EXPECT_EQ(registry_->EngineName(), "fake");
}

TEST_F(RegistryVolumes, ForgetRemovesTheAppsVolumesOnlyWhenAskedEvenIfItNeverRan) {
  // Neither app has a ContainerApp here (never made, as for an app that failed to resolve).
  registry_->Forget(Record("app_prd_b"), /*volumes=*/false);
  registry_->Forget(Record("app_prd_a"), /*volumes=*/true);
  EXPECT_TRUE(Gone("berth-app_prd_a-data"));
  EXPECT_TRUE(Gone("berth-app_prd_a-cache"));
  EXPECT_TRUE(*fake_->VolumeExists("berth-app_stg_a-data")) << "the stage twin's are its own";
}

TEST_F(RegistryVolumes, KeptVolumesStay) {
  registry_->Forget(Record("app_prd_b"), /*volumes=*/false);
  registry_->Forget(Record("app_stg_a"), /*volumes=*/true);
  EXPECT_TRUE(Gone("berth-app_stg_a-data"));
  // b's Forget was asked before a's, whose removal is done.
  EXPECT_TRUE(*fake_->VolumeExists("berth-app_prd_b-data"));
  EXPECT_TRUE(*fake_->VolumeExists("berth-app_prd_a-data")) << "the prod twin's are its own";
}

}  // namespace
}  // namespace berth::app
