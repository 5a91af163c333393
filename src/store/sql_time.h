// How the store keeps times: whole seconds since the epoch in SQLite (what `sqlite3` users
// read with datetime(x, 'unixepoch')), milliseconds in memory, NULL for "not yet".
#ifndef HASHMON_STORE_SQL_TIME_H_
#define HASHMON_STORE_SQL_TIME_H_

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdint>

namespace hashmon {

inline int64_t Sec(int64_t ms) { return ms / 1000; }

// A stored time in milliseconds; NULL (not yet) is 0.
inline int64_t Ms(const SQLite::Column& c) { return c.isNull() ? 0 : c.getInt64() * 1000; }

// Binds a time in milliseconds; 0 (not yet) binds NULL.
inline void BindTime(SQLite::Statement& st, int i, int64_t ms) {
  if (ms == 0)
    st.bind(i);
  else
    st.bind(i, static_cast<int64_t>(Sec(ms)));
}

}  // namespace hashmon

#endif  // HASHMON_STORE_SQL_TIME_H_
