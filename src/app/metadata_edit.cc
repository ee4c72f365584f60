#include "app/metadata_edit.h"

#include "base/strings.h"

namespace berth::app {

namespace {

struct KindEntry {
  const char* name;
  MetadataKind kind;
};

constexpr KindEntry kKinds[] = {
    {"spec", MetadataKind::kSpec},
    {"param", MetadataKind::kParam},
    {"carg", MetadataKind::kCarg},
    {"container-arg", MetadataKind::kCarg},
    {"copt", MetadataKind::kCopt},
    {"container-option", MetadataKind::kCopt},
    {"cvol", MetadataKind::kCvol},
    {"container-volume", MetadataKind::kCvol},
    {"container-volumes", MetadataKind::kCvol},
    {"conf", MetadataKind::kConf},
    {"app-config", MetadataKind::kConf},
};

// "k=v" into key and value; "k" alone only when `bare_ok` (value then nullopt).
Status SplitKeyValue(std::string_view kind, const std::string& text, bool bare_ok, std::string* key,
                     std::optional<std::string>* value) {
  size_t eq = text.find('=');
  if (eq == std::string::npos) {
    if (!bare_ok || text.empty()) {
      return Status::InvalidArgument(std::string(kind) + " value \"" + text +
                                     "\" must be key=value (key=- deletes the key)");
    }
    *key = text;
    *value = std::nullopt;
    return Status::Ok();
  }
  *key = text.substr(0, eq);
  *value = text.substr(eq + 1);
  if (key->empty()) {
    return Status::InvalidArgument(std::string(kind) + " value \"" + text + "\" has an empty key");
  }
  return Status::Ok();
}

// A TOML value as the app config keeps it: a quoted string loses its quotes.
std::string TomlValue(const std::string& v) {
  if (v.size() >= 2 &&
      ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\''))) {
    return v.substr(1, v.size() - 2);
  }
  return v;
}

template <typename Map>
void DescribeMap(const char* kind, const Map& before, const Map& after,
                 std::vector<std::string>* out) {
  auto text = [](const auto& v) -> std::string {
    if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) {
      return "=" + v;
    } else {
      return v ? "=" + *v : "";
    }
  };
  for (const auto& [k, v] : after) {
    auto old = before.find(k);
    if (old == before.end() || old->second != v)
      out->push_back(std::string(kind) + " " + k + text(v));
  }
  for (const auto& [k, v] : before) {
    if (!after.count(k)) out->push_back(std::string(kind) + " " + k + " deleted");
  }
}

}  // namespace

Result<MetadataKind> ParseMetadataKind(std::string_view text) {
  std::vector<std::string> names;
  for (const auto& k : kKinds) {
    if (text == k.name) return k.kind;
    names.push_back(k.name);
  }
  std::string hint = ClosestMatch(text, names);
  return Status::InvalidArgument("unknown metadata kind \"" + std::string(text) + "\"" +
                                 (hint.empty() ? "" : " (did you mean " + hint + "?)") +
                                 "; kinds: spec, carg, copt, cvol, conf");
}

std::string KindName(MetadataKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "?";
}

Status ApplyMetadataEdit(MetadataKind kind, const std::vector<std::string>& values,
                         store::AppRecord* record) {
  store::AppMetadata& m = record->metadata;
  if (values.empty()) {
    return Status::InvalidArgument("update-metadata " + KindName(kind) + " needs a value");
  }
  switch (kind) {
    case MetadataKind::kSpec:
      if (values.size() != 1 || values[0].empty()) {
        return Status::InvalidArgument("update-metadata spec takes one spec name");
      }
      record->spec = values[0];
      return Status::Ok();
    case MetadataKind::kParam: {
      if (values.size() != 2) {
        return Status::InvalidArgument("param update takes a name and a value (- deletes)");
      }
      if (values[1] == "-") {
        if (!m.params.count(values[0])) {
          return Status::NotFound("the app has no param " + values[0]);
        }
        m.params.erase(values[0]);
      } else {
        m.params[values[0]] = values[1];
      }
      return Status::Ok();
    }
    case MetadataKind::kCvol:
      if (values.size() == 1 && values[0] == "-") {
        m.cvols.clear();
      } else {
        m.cvols = values;
      }
      return Status::Ok();
    case MetadataKind::kCarg:
    case MetadataKind::kConf:
    case MetadataKind::kCopt:
      break;
  }
  for (const auto& text : values) {
    std::string key;
    std::optional<std::string> value;
    BERTH_RETURN_IF_ERROR(
        SplitKeyValue(KindName(kind), text, kind == MetadataKind::kCopt, &key, &value));
    bool remove = value && *value == "-";
    if (kind == MetadataKind::kCarg) {
      if (remove)
        m.cargs.erase(key);
      else
        m.cargs[key] = *value;
    } else if (kind == MetadataKind::kConf) {
      if (remove)
        m.conf.erase(key);
      else
        m.conf[key] = TomlValue(*value);
    } else {
      if (remove)
        m.copts.erase(key);
      else
        m.copts[key] = value;
    }
  }
  return Status::Ok();
}

std::string DescribeChanges(const store::AppRecord& before, const store::AppRecord& after) {
  std::vector<std::string> parts;
  if (before.spec != after.spec) parts.push_back("spec " + after.spec);
  DescribeMap("param", before.metadata.params, after.metadata.params, &parts);
  DescribeMap("carg", before.metadata.cargs, after.metadata.cargs, &parts);
  DescribeMap("copt", before.metadata.copts, after.metadata.copts, &parts);
  if (before.metadata.cvols != after.metadata.cvols) {
    parts.push_back("cvol [" + Join(after.metadata.cvols, ", ") + "]");
  }
  DescribeMap("conf", before.metadata.conf, after.metadata.conf, &parts);
  if (before.metadata.commit != after.metadata.commit && !after.metadata.commit.empty()) {
    parts.push_back("commit " + after.metadata.commit.substr(0, 12));
  }
  if (before.metadata.branch != after.metadata.branch) {
    parts.push_back("branch " + after.metadata.branch);
  }
  if (before.metadata.approved != after.metadata.approved) {
    parts.push_back(after.metadata.approved ? "approved" : "approval withdrawn");
  }
  return Join(parts, "; ");
}

}  // namespace berth::app
