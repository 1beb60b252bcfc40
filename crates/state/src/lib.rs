//! berth's state store: the State trait, an in-memory state and a redb-backed state shared by many processes.
//!
//! Nothing here works yet: the state layer arrives with issue 3.
