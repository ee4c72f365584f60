// AppService's staged changes, promotion and versions (the rest of AppService is in
// app_service.cc). Every operation works in three steps under the service's mutex: compute
// and check each app's next state and prepare its backend (nothing written), write them all
// in one transaction with their versions and audit entries, then put them in service.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "app/app_service.h"
#include "app/metadata_edit.h"
#include "base/strings.h"

namespace berth::app {

namespace {

constexpr std::string_view kProdPrefix = "app_prd_";

// "uid 0: create" style detail for the audit list: the version step and what changed.
std::string AuditDetail(const store::AppRecord& before, const store::AppRecord& after,
                        const std::string& changes) {
  std::string d = (after.is_stage ? "stage " : "") + std::string("version ") +
                  std::to_string(before.version) + " -> " + std::to_string(after.version);
  return changes.empty() ? d : d + ": " + changes;
}

}  // namespace

std::string AppService::PathOf(const store::AppRecord& record) const {
  return record.domain + ":" + record.path;
}

std::string AppService::PathOf(const AppEntry& record) const {
  return record.domain() + ":" + record.path();
}

Result<const AppService::Live*> AppService::FindLocked(const std::string& path_text) const {
  auto parsed = ParseAppPath(path_text, options_.default_domain);
  std::optional<AppPath> path;
  if (parsed.ok()) {
    path = *parsed;
  } else {
    // Stage paths carry the reserved suffix: accept them here.
    std::string text(path_text);
    if (text.find(':') == std::string::npos) text = options_.default_domain + ":" + text;
    auto stored = ParseStoredAppPath(text);
    if (!stored.ok()) return parsed.status();
    path = *stored;
  }
  for (const auto& [id, live] : apps_) {
    if (live.record.domain() == path->domain && live.record.path() == path->path) return &live;
  }
  return Status::NotFound("no app at " + path->ToString());
}

std::map<std::string, std::string> AppService::StageIndexOf(
    const std::vector<std::string>& prod_ids) const {
  std::map<std::string, std::string> out;
  for (const auto& id : prod_ids) {
    ForEachStageLocked(id, [&](const Live& stage) { out[id] = stage.record.id(); });
  }
  return out;
}

Status AppService::PreparePendingLocked(Pending* p, bool warm) {
  BERTH_RETURN_IF_ERROR(resolver_.CheckConf(p->after.metadata.conf));
  for (const auto& [name, value] : p->after.metadata.params) {
    BERTH_RETURN_IF_ERROR(CheckParamName(name));
  }
  // A change that leaves the upstream as it was keeps the app's backend (and so its route);
  // a promote takes the stage's.
  std::vector<std::shared_ptr<proxy::Backend>> reuse;
  if (auto current = apps_.find(p->after.id); current != apps_.end()) {
    reuse.push_back(current->second.backend());
  }
  if (!p->after.is_stage) {
    ForEachStageLocked(p->after.id, [&](const Live& stage) { reuse.push_back(stage.backend()); });
  }
  BERTH_ASSIGN_OR_RETURN(p->live, PrepareLive(p->after, p->files, warm, reuse));
  return Status::Ok();
}

Result<std::vector<ChangeInfo>> AppService::ApplyLocked(std::vector<Pending> pending,
                                                        const std::string& operation,
                                                        const ChangeOptions& options) {
  std::vector<ChangeInfo> out;
  for (const auto& p : pending) {
    out.push_back(ChangeInfo{PathOf(p.after), p.after.id, operation, p.before.version,
                             p.after.version, p.changes, options.dry_run ? "dry run" : ""});
  }
  auto discard_all = [&] {
    for (const auto& p : pending) DiscardLive(p.live);
  };
  if (options.dry_run) {
    discard_all();
    return out;
  }
  int64_t pruned = 0;
  Status written = db_.Transaction([&]() -> Status {
    for (const auto& p : pending) {
      const store::AppRecord& r = p.after;
      BERTH_RETURN_IF_ERROR(store_.Update(r));
      if (p.new_version) {
        store::VersionRecord v{r.version, r.spec, r.metadata, p.changes, options.actor, ""};
        Status added = store_.AddVersion(r.id, v);
        if (added.ok()) {
          BERTH_RETURN_IF_ERROR(sources_.Put(r.id, r.version, p.files));
        } else if (added.code() != Status::Code::kAlreadyExists) {
          return added;  // AlreadyExists: prod had this version before; its files are stored
        }
      }
      std::string prod_path = PathOf(r);
      if (r.is_stage) {
        auto main = apps_.find(r.main_id);
        if (main != apps_.end()) prod_path = PathOf(main->second.record);
      }
      BERTH_RETURN_IF_ERROR(
          audit_.Add({0, "", options.actor, r.is_stage ? r.main_id : r.id, prod_path, operation,
                      AuditDetail(p.before, r, p.changes)}));
      std::vector<int64_t> pinned = {r.version, p.before.version};
      if (r.switched_from) pinned.push_back(r.switched_from);
      BERTH_ASSIGN_OR_RETURN(int64_t n, store_.PruneVersions(r.id, options_.max_versions, pinned));
      pruned += n;
    }
    return Status::Ok();
  });
  if (!written.ok()) {
    discard_all();
    return written;
  }
  for (auto& p : pending) CommitLiveLocked(std::move(p.live));
  PublishLocked();
  if (pending.size() >= kBulkApps) {
    pending = {};  // the before/after copies and the files, freed before the trim
    TrimHeap();
  }
  if (pruned > 0) {
    if (Status gc = sources_.CollectGarbage(); !gc.ok()) {
      spdlog::warn("deleting unused source files failed (retried later): {}", gc.message());
    }
  }
  for (auto& info : out) {
    if (info.note.empty() && factory_) {
      RunState run = factory_->StateOf(info.id);
      if (run.state == "stopped") info.note = "idle: the next request starts it";
    }
  }
  return out;
}

Result<std::vector<ChangeInfo>> AppService::StageLocked(const std::string& glob_text,
                                                        const std::string& operation,
                                                        const Edit& edit,
                                                        const ChangeOptions& options) {
  BERTH_ASSIGN_OR_RETURN(AppGlob glob, AppGlob::Parse(glob_text, options_.default_domain));
  std::vector<std::string> prod_ids;
  for (const auto& [id, live] : apps_) {
    if (!live.record.is_stage && glob.Matches(AppPath{live.record.domain(), live.record.path()})) {
      prod_ids.emplace_back(id);
    }
  }
  auto stage_of = StageIndexOf(prod_ids);
  if (prod_ids.empty()) return Status::NotFound("no app matches " + glob_text);

  std::vector<Pending> pending;
  std::vector<ChangeInfo> unchanged;
  auto fail = [&](const Status& s, const store::AppRecord& r) {
    for (const auto& p : pending) DiscardLive(p.live);
    return s.WithContext("app " + PathOf(r));
  };
  for (const auto& prod_id : prod_ids) {
    const AppEntry& prod = apps_.at(prod_id).record;
    std::string target_id = prod_id;
    if (!prod.dev) {
      auto stage = stage_of.find(prod_id);
      if (stage == stage_of.end()) {
        return fail(Status::Internal("its stage app is missing"), prod.Record());
      }
      target_id = stage->second;
    }
    const Live& target = apps_.at(target_id);
    if (target.unreadable) return fail(Status::FailedPrecondition(target.error()), prod.Record());
    Pending p;
    p.before = target.record.Record();
    auto files = sources_.Get(target_id, p.before.version);
    if (!files.ok()) return fail(files.status(), p.before);
    p.files = std::move(*files);
    p.after = p.before;
    std::string source_change;
    if (Status s = edit(&p.after, &p.files, &source_change); !s.ok()) return fail(s, p.before);
    if (options.approve) p.after.metadata.approved = true;
    p.changes = DescribeChanges(p.before, p.after);
    if (!source_change.empty()) p.changes += (p.changes.empty() ? "" : "; ") + source_change;
    if (p.changes.empty()) {
      unchanged.push_back(ChangeInfo{PathOf(p.before), target_id, operation, p.before.version,
                                     p.before.version, "", "unchanged"});
      continue;
    }
    auto max = store_.MaxVersion({prod_id, target_id});
    if (!max.ok()) return fail(max.status(), p.before);
    p.after.version = std::max(*max, std::max(prod.version, p.before.version)) + 1;
    p.after.switched_from = 0;
    if (Status s = PreparePendingLocked(&p, /*warm=*/false); !s.ok()) return fail(s, p.before);
    pending.push_back(std::move(p));
  }
  std::vector<std::string> changed_prod_ids;
  for (const auto& p : pending) {
    if (p.after.is_stage) changed_prod_ids.push_back(p.after.main_id);
  }
  BERTH_ASSIGN_OR_RETURN(auto out, ApplyLocked(std::move(pending), operation, options));
  out.insert(out.end(), unchanged.begin(), unchanged.end());
  if (options.promote) {
    // Promote what is staged, also what an earlier change staged.
    std::vector<std::string> to_promote;
    for (const auto& id : prod_ids) {
      if (!apps_.at(id).record.dev) to_promote.push_back(id);
    }
    if (options.dry_run) {
      for (auto& info : out) info.note += info.note.empty() ? "then promote" : "; then promote";
    } else {
      BERTH_ASSIGN_OR_RETURN(auto promoted,
                             PromoteLocked(to_promote, /*only_if_ahead=*/true, options));
      out.insert(out.end(), promoted.begin(), promoted.end());
    }
  }
  return out;
}

Result<std::vector<ChangeInfo>> AppService::PromoteLocked(const std::vector<std::string>& prod_ids,
                                                          bool only_if_ahead,
                                                          const ChangeOptions& options) {
  auto stage_of = StageIndexOf(prod_ids);
  std::vector<Pending> pending;
  std::vector<std::string> level;  // apps with nothing staged
  for (const auto& prod_id : prod_ids) {
    const AppEntry& prod = apps_.at(prod_id).record;
    if (prod.dev) continue;  // dev apps have no stage
    auto stage_id = stage_of.find(prod_id);
    if (stage_id == stage_of.end()) continue;
    const Live& stage_live = apps_.at(stage_id->second);
    const AppEntry& stage = stage_live.record;
    if (stage_live.unreadable) {
      for (const auto& other : pending) DiscardLive(other.live);
      return Status::FailedPrecondition("promote of " + PathOf(prod) + " refused: its stage " +
                                        PathOf(stage) + ": " + stage_live.error());
    }
    if (stage.version == prod.version && stage.spec == prod.spec && *stage.meta == *prod.meta) {
      level.push_back(PathOf(prod) + " (both at version " + std::to_string(prod.version) + ")");
      continue;
    }
    Pending p;
    p.before = prod.Record();
    p.after = p.before;
    p.after.spec = stage.spec;
    p.after.metadata = *stage.meta;
    p.after.version = stage.version;
    p.after.switched_from = 0;
    auto files = sources_.Get(stage.id(), stage.version);
    auto fail = [&](const Status& s) {
      for (const auto& other : pending) DiscardLive(other.live);
      return Status::FromCode(s.code(), "promote of " + PathOf(prod) +
                                            " failed; prod stays on version " +
                                            std::to_string(prod.version) + ": " + s.message());
    };
    if (!files.ok()) return fail(files.status());
    p.files = std::move(*files);
    p.changes = DescribeChanges(p.before, p.after);
    auto staged = store_.Version(stage.id(), stage.version);
    if (staged.ok() && !staged->changes.empty()) p.changes = staged->changes;
    if (p.changes.empty()) p.changes = "code of version " + std::to_string(stage.version);
    if (Status s = PreparePendingLocked(&p, /*warm=*/!options.dry_run); !s.ok()) return fail(s);
    pending.push_back(std::move(p));
  }
  if (pending.empty()) {
    if (only_if_ahead) return std::vector<ChangeInfo>{};
    return Status::FailedPrecondition("nothing to promote: stage and prod are the same for " +
                                      Join(level, ", "));
  }
  return ApplyLocked(std::move(pending), "promote", options);
}

Result<std::vector<ChangeInfo>> AppService::UpdateParam(const std::string& glob,
                                                        const std::string& name,
                                                        const std::string& value,
                                                        const ChangeOptions& options) {
  BERTH_RETURN_IF_ERROR(CheckParamName(name));
  std::lock_guard lock(mu_);
  return StageLocked(
      glob, "param update",
      [&](store::AppRecord* r, store::SourceFiles*, std::string*) {
        return ApplyMetadataEdit(MetadataKind::kParam, {name, value}, r);
      },
      options);
}

Result<std::vector<ChangeInfo>> AppService::UpdateMetadata(const std::string& glob,
                                                           const std::string& kind_text,
                                                           const std::vector<std::string>& values,
                                                           const ChangeOptions& options) {
  BERTH_ASSIGN_OR_RETURN(MetadataKind kind, ParseMetadataKind(kind_text));
  if (kind == MetadataKind::kParam) {
    if (values.size() != 2) {
      return Status::InvalidArgument("update-metadata param takes a name and a value (- deletes)");
    }
    BERTH_RETURN_IF_ERROR(CheckParamName(values[0]));
  }
  if (kind == MetadataKind::kSpec && !values.empty()) {
    auto names = resolver_.SpecNames();
    if (std::find(names.begin(), names.end(), values[0]) == names.end()) {
      std::string hint = ClosestMatch(values[0], names);
      return Status::InvalidArgument("unknown spec " + values[0] +
                                     (hint.empty() ? "" : " (did you mean " + hint + "?)"));
    }
  }
  std::lock_guard lock(mu_);
  return StageLocked(
      glob, "update-metadata " + KindName(kind),
      [&](store::AppRecord* r, store::SourceFiles*, std::string*) {
        return ApplyMetadataEdit(kind, values, r);
      },
      options);
}

Result<std::vector<ChangeInfo>> AppService::Reload(const std::string& glob,
                                                   const ReloadOptions& reload,
                                                   const ChangeOptions& options) {
  std::lock_guard lock(mu_);
  // Git clones the reloaded files are read from, kept until the new versions are stored.
  std::vector<std::shared_ptr<void>> clones;
  return StageLocked(
      glob, "reload",
      [&](store::AppRecord* r, store::SourceFiles* files, std::string* source_change) -> Status {
        if (r->source.empty() || r->source == "-") return Status::Ok();  // nothing to read
        std::string branch = reload.branch.empty() ? r->metadata.branch : reload.branch;
        BERTH_ASSIGN_OR_RETURN(LoadedSource loaded, LoadSource(r->source, branch, reload.commit,
                                                               options_.source_limits));
        clones.push_back(loaded.hold);
        sources_.Attach(&loaded.files);
        store::SourceFiles fresh = std::move(loaded.files);
        const std::string& head = loaded.head;
        if (!head.empty()) {
          if (head == r->metadata.commit && !reload.force) return Status::Ok();
          r->metadata.commit = head;
          r->metadata.branch = branch;
        }
        if (fresh != *files) {
          *files = std::move(fresh);
          *source_change = "source reloaded (" + std::to_string(files->size()) + " files)";
        } else if (reload.force) {
          *source_change = "source reloaded (forced)";
        }
        return Status::Ok();
      },
      options);
}

Result<std::vector<ChangeInfo>> AppService::Approve(const std::string& glob,
                                                    const ChangeOptions& options) {
  ChangeOptions approving = options;
  approving.approve = true;
  std::lock_guard lock(mu_);
  return StageLocked(
      glob, "approve",
      [](store::AppRecord*, store::SourceFiles*, std::string*) { return Status::Ok(); }, approving);
}

Result<std::vector<ChangeInfo>> AppService::Promote(const std::string& glob_text,
                                                    const ChangeOptions& options) {
  BERTH_ASSIGN_OR_RETURN(AppGlob glob, AppGlob::Parse(glob_text, options_.default_domain));
  std::lock_guard lock(mu_);
  std::vector<std::string> prod_ids;
  for (const auto& [id, live] : apps_) {
    const auto& r = live.record;
    if (!r.is_stage && glob.Matches(AppPath{r.domain(), r.path()})) prod_ids.emplace_back(id);
  }
  if (prod_ids.empty()) return Status::NotFound("no app matches " + glob_text);
  return PromoteLocked(prod_ids, /*only_if_ahead=*/false, options);
}

Result<std::map<std::string, std::string>> AppService::Params(const std::string& path) {
  std::lock_guard lock(mu_);
  BERTH_ASSIGN_OR_RETURN(const Live* live, FindLocked(path));
  return live->record.meta->params;
}

Result<AppService::VersionList> AppService::Versions(const std::string& path) {
  std::lock_guard lock(mu_);
  BERTH_ASSIGN_OR_RETURN(const Live* live, FindLocked(path));
  VersionList list;
  list.current = live->record.version;
  BERTH_ASSIGN_OR_RETURN(list.versions, store_.Versions(live->record.id()));
  return list;
}

Result<store::SourceFiles> AppService::VersionFiles(const std::string& path, int64_t version) {
  std::lock_guard lock(mu_);
  BERTH_ASSIGN_OR_RETURN(const Live* live, FindLocked(path));
  int64_t n = version == 0 ? live->record.version : version;
  BERTH_RETURN_IF_ERROR(store_.Version(live->record.id(), n).status());
  return sources_.Get(live->record.id(), n);
}

Result<ChangeInfo> AppService::SwitchVersion(const std::string& path, const std::string& to,
                                             const ChangeOptions& options) {
  std::lock_guard lock(mu_);
  BERTH_ASSIGN_OR_RETURN(const Live* live, FindLocked(path));
  const store::AppRecord record = live->record.Record();
  BERTH_ASSIGN_OR_RETURN(auto versions, store_.Versions(record.id));
  std::vector<std::string> numbers;
  for (const auto& v : versions) numbers.push_back(std::to_string(v.version));
  const int64_t current = record.version;
  int64_t target = 0;
  if (to == "previous") {
    for (const auto& v : versions) {
      if (v.version < current) target = v.version;
    }
    if (!target) return Status::NotFound("no version before " + std::to_string(current));
  } else if (to == "next") {
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
      if (it->version > current) target = it->version;
    }
    if (!target) return Status::NotFound("no version after " + std::to_string(current));
  } else if (to == "revert") {
    target = record.switched_from;
    if (!target) {
      return Status::FailedPrecondition("nothing to revert: " + PathOf(record) +
                                        " was not switched to another version");
    }
  } else {
    long long n = 0;
    if (!ParseInt(to, &n) || n <= 0) {
      return Status::InvalidArgument("version \"" + to +
                                     "\" must be a number, previous, next or revert");
    }
    target = n;
  }
  // An app whose stored metadata does not parse takes its current version's back.
  if (target == current && !live->unreadable) {
    return Status::InvalidArgument(PathOf(record) + " is at version " + std::to_string(current) +
                                   " already");
  }
  auto stored = store_.Version(record.id, target);
  if (!stored.ok()) {
    return Status::NotFound(PathOf(record) + " has no version " + std::to_string(target) +
                            "; its versions: " + Join(numbers, ", "));
  }
  Pending p;
  p.before = record;
  p.after = record;
  p.after.spec = stored->spec.empty() ? record.spec : stored->spec;
  p.after.metadata = stored->metadata;
  p.after.version = target;
  p.after.switched_from = current;
  p.new_version = false;
  BERTH_ASSIGN_OR_RETURN(p.files, sources_.Get(record.id, target));
  p.changes = DescribeChanges(p.before, p.after);
  if (Status s = PreparePendingLocked(&p, /*warm=*/!record.is_stage && !options.dry_run); !s.ok()) {
    return s.WithContext("switch of " + PathOf(record) + " to version " + std::to_string(target) +
                         " failed; it stays on version " + std::to_string(current));
  }
  std::vector<Pending> one;
  one.push_back(std::move(p));
  BERTH_ASSIGN_OR_RETURN(
      auto out,
      ApplyLocked(std::move(one), to == "revert" ? "version revert" : "version switch", options));
  return out.front();
}

Result<std::vector<store::AuditEntry>> AppService::Audit(const std::string& glob_text,
                                                         int64_t limit) {
  BERTH_ASSIGN_OR_RETURN(AppGlob glob, AppGlob::Parse(glob_text, options_.default_domain));
  BERTH_ASSIGN_OR_RETURN(auto recent, audit_.Recent(std::max<int64_t>(limit, 1) * 50));
  std::vector<store::AuditEntry> out;
  for (auto& e : recent) {
    auto path = ParseStoredAppPath(e.app_path);
    if (!path.ok() || !glob.Matches(*path)) continue;
    out.push_back(std::move(e));
    if (static_cast<int64_t>(out.size()) >= limit) break;
  }
  return out;
}

}  // namespace berth::app
