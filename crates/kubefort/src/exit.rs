//! Exit codes shared by every command (see ARCHITECTURE.md).

/// Nothing at or above the fail threshold (or "yes").
pub const OK: u8 = 0;
/// Findings at or above the threshold, input that could not be checked (or "no").
pub const FINDINGS: u8 = 1;
/// Usage error, or no input could be read at all.
pub const USAGE: u8 = 2;
