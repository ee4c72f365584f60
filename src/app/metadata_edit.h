// MetadataEdit: the changes `berth param update` and `berth app update-metadata` make to an
// app's record, and the one-line description of what a new version changed. Pure: no store,
// no engine, so every rule is unit-tested.
//
//   param  NAME VALUE | NAME -        sets or deletes one param
//   carg   k=v ... | k=- ...          build args; `k=-` deletes
//   copt   k=v | k ... | k=-          container options; a bare `k` is a flag option
//   cvol   VOL ...                    replaces the whole list ("-" alone empties it)
//   conf   k=v ... | k=-              per-app config; v is a TOML value (quotes are removed)
//   spec   NAME                       the app's spec
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/app_store.h"

namespace berth::app {

enum class MetadataKind { kSpec, kParam, kCarg, kCopt, kCvol, kConf };

// "carg" or "container-arg", "copt" or "container-option", "cvol" or "container-volume(s)",
// "conf" or "app-config", "param", "spec". An unknown kind is an error naming the closest.
Result<MetadataKind> ParseMetadataKind(std::string_view text);
std::string KindName(MetadataKind kind);

// Applies `values` to the record's spec or metadata. Values are checked for form only (key=value
// where one is needed, a non-empty key); what they mean is checked when the app is resolved.
Status ApplyMetadataEdit(MetadataKind kind, const std::vector<std::string>& values,
                         store::AppRecord* record);

// What `after` changes from `before`, e.g. "param APP_MODULE=basic:app; copt memory deleted;
// cvol [/data]"; "" when they are the same. Params are shown as written (a secret template,
// never its value).
std::string DescribeChanges(const store::AppRecord& before, const store::AppRecord& after);

}  // namespace berth::app
