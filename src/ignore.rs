//! The ignore file (`--ignore FILE`): findings a team has looked at and accepts. One per
//! line: an id (an advisory id or one of its aliases, such as a CVE, or a best-practice rule
//! id such as `CIS-DI-0001`, so a `.dockleignore` carries over), optionally followed by a path
//! glob that limits it to packages found in matching files (for a best-practice rule: to the
//! evidence about matching files); `#` starts a comment. Every suppression is counted in the
//! report, with the line that made it.
//!
//! ```text
//! # accepted until the base image moves to bookworm-slim 12.6
//! CVE-2024-28085
//! GHSA-j8r2-6x86-q33q   /opt/tools/**        # only the vendored copy
//! CIS-DI-0008           /usr/bin/passwd      # setuid by design
//! DKL-DI-0006
//! ```

use crate::scan::secrets::glob_match;

/// The parsed ignore file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IgnoreList {
    pub entries: Vec<IgnoreEntry>,
}

/// One line of the ignore file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    pub id: String,
    /// A glob (`*`, `**`, `?`) over the path the finding is about; none: anywhere.
    pub path: Option<String>,
    /// The line number, for the report.
    pub line: usize,
}

impl IgnoreList {
    /// Parses the file; a line with more than an id and a glob is an error naming the line.
    pub fn parse(text: &str) -> Result<IgnoreList, String> {
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let content = line.split('#').next().unwrap_or("");
            let mut words = content.split_whitespace();
            let Some(id) = words.next() else { continue };
            let path = words.next().map(str::to_string);
            if let Some(extra) = words.next() {
                return Err(format!(
                    "line {line_no}: {extra:?} after the id and the path glob (one id, optionally one glob, per line)"
                ));
            }
            entries.push(IgnoreEntry {
                id: id.to_string(),
                path,
                line: line_no,
            });
        }
        Ok(IgnoreList { entries })
    }

    /// The first entry that names one of `ids` (case-insensitively) for `path`.
    pub fn find(&self, ids: &[&str], path: &str) -> Option<&IgnoreEntry> {
        self.entries.iter().find(|e| {
            ids.iter().any(|id| id.eq_ignore_ascii_case(&e.id)) && e.path.as_deref().is_none_or(|g| glob_match(g, path))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_with_optional_globs_and_comments() {
        let l = IgnoreList::parse("# header\n\nCVE-2024-1\nGHSA-x /opt/** # vendored\n  \t\n").unwrap();
        assert_eq!(l.entries.len(), 2);
        assert_eq!(l.entries[1].line, 4);
        assert_eq!(l.find(&["DSA-1", "cve-2024-1"], "/usr/lib/x").map(|e| e.line), Some(3));
        assert!(l.find(&["GHSA-x"], "/opt/a/b").is_some());
        assert!(l.find(&["GHSA-x"], "/usr/a").is_none());
        assert!(IgnoreList::parse("CVE-1 /a /b").unwrap_err().starts_with("line 1:"));
    }
}
