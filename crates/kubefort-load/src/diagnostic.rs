use kubefort_model::Pos;
use std::fmt;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Shown only in verbose mode (a skipped non-Kubernetes document).
    Note,
    Warning,
    Error,
}

/// A problem with the input itself (not a finding about an object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub level: Level,
    pub file: Arc<str>,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl Diagnostic {
    pub fn new(level: Level, file: &Arc<str>, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic { level, file: file.clone(), line: pos.line, column: pos.column, message: message.into() }
    }
    pub fn error(file: &Arc<str>, pos: Pos, message: impl Into<String>) -> Self {
        Self::new(Level::Error, file, pos, message)
    }
    pub fn warning(file: &Arc<str>, pos: Pos, message: impl Into<String>) -> Self {
        Self::new(Level::Warning, file, pos, message)
    }
    pub fn note(file: &Arc<str>, pos: Pos, message: impl Into<String>) -> Self {
        Self::new(Level::Note, file, pos, message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        };
        if self.line == 0 {
            write!(f, "{}: {level}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}:{}: {level}: {}", self.file, self.line, self.column, self.message)
        }
    }
}
