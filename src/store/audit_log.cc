#include "store/audit_log.h"

#include "store/app_store.h"

namespace berth::store {

Status AuditLog::Add(const AuditEntry& e) {
  auto lock = db_.Lock();
  return db_
      .Prepare(
          "INSERT INTO audit (at, actor, app_id, app_path, operation, detail) "
          "VALUES (?,?,?,?,?,?)")
      .Bind(1, e.at.empty() ? NowRfc3339() : e.at)
      .Bind(2, e.actor)
      .Bind(3, e.app_id)
      .Bind(4, e.app_path)
      .Bind(5, e.operation)
      .Bind(6, e.detail)
      .Run();
}

Result<std::vector<AuditEntry>> AuditLog::Recent(int64_t limit) {
  auto lock = db_.Lock();
  auto st = db_.Prepare(
      "SELECT id, at, actor, app_id, app_path, operation, detail FROM audit "
      "ORDER BY id DESC LIMIT ?");
  st.Bind(1, limit);
  std::vector<AuditEntry> out;
  while (st.Step()) {
    AuditEntry e;
    e.id = st.ColumnInt(0);
    e.at = st.ColumnText(1);
    e.actor = st.ColumnText(2);
    e.app_id = st.ColumnText(3);
    e.app_path = st.ColumnText(4);
    e.operation = st.ColumnText(5);
    e.detail = st.ColumnText(6);
    out.push_back(std::move(e));
  }
  BERTH_RETURN_IF_ERROR(st.status());
  return out;
}

}  // namespace berth::store
