//! Env files: whether one has every name the example lists, with values that can work in
//! production, and whether two environments share a secret.
//!
//! The values are read to judge them and then dropped: an [`EnvIssue`] names the variable and the
//! line, never the value, and a shared secret is said by name (the values are compared in memory only).

use crate::mask::placeholder;
use serde::Serialize;

/// One `NAME=value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub value: String,
    pub line: u32,
}

/// An env file, parsed the way dotenv tools read it: `NAME=value`, `export NAME=value`, quotes
/// stripped, `#` comments and blank lines skipped. Lines it cannot read are kept for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvFile {
    pub entries: Vec<Entry>,
    pub unreadable: Vec<u32>,
}

impl EnvFile {
    pub fn parse(text: &str) -> EnvFile {
        let mut file = EnvFile::default();
        for (i, raw) in text.lines().enumerate() {
            let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let Some((name, value)) = line.split_once('=') else {
                file.unreadable.push(n);
                continue;
            };
            let name = name.trim();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                file.unreadable.push(n);
                continue;
            }
            let value = value.trim();
            let value = match value.chars().next() {
                Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default(),
                _ => value.split(" #").next().unwrap_or_default().trim(),
            };
            file.entries.push(Entry { name: name.to_owned(), value: value.to_owned(), line: n });
        }
        file
    }

    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.name == name)
    }
}

/// What is wrong with one variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum EnvIssue {
    /// The example lists it; the env file does not have it.
    Missing { name: String },
    /// Present, but with no value (or a placeholder such as `your-key-here`).
    Empty { name: String, line: u32 },
    /// A production value pointing at this computer (`localhost`, `127.0.0.1`).
    Localhost { name: String, line: u32 },
    /// The same secret value in two environments' files.
    Shared { name: String, other: String },
}

impl EnvIssue {
    pub fn name(&self) -> &str {
        match self {
            EnvIssue::Missing { name }
            | EnvIssue::Empty { name, .. }
            | EnvIssue::Localhost { name, .. }
            | EnvIssue::Shared { name, .. } => name,
        }
    }
}

fn local(value: &str) -> bool {
    let v = value.to_ascii_lowercase();
    ["localhost", "127.0.0.1", "0.0.0.0", "[::1]"].iter().any(|h| v.contains(h))
}

/// `env` against the names `required` (an example file's names, or a list): missing names, empty
/// values, and, when `production`, values that point at this computer.
pub fn check(required: &[String], env: &EnvFile, production: bool) -> Vec<EnvIssue> {
    let mut out = Vec::new();
    for name in required {
        match env.get(name) {
            None => out.push(EnvIssue::Missing { name: name.clone() }),
            Some(e) if e.value.is_empty() || placeholder(&e.value) => out.push(EnvIssue::Empty { name: e.name.clone(), line: e.line }),
            Some(_) => {}
        }
    }
    if production {
        out.extend(env.entries.iter().filter(|e| local(&e.value)).map(|e| EnvIssue::Localhost { name: e.name.clone(), line: e.line }));
    }
    out
}

/// Secrets `a` and `b` share (the same value under any names): staging and production must not.
/// Only values that look like secrets count (long enough, not a placeholder, not a plain word or
/// number); a shared `NODE_ENV=production` is not a problem.
pub fn shared(a: &EnvFile, b: &EnvFile) -> Vec<EnvIssue> {
    let secretish = |v: &str| v.len() >= 12 && !placeholder(v) && !local(v) && crate::mask::entropy(v) >= 3.0 && !v.contains("://");
    let mut out = Vec::new();
    for x in a.entries.iter().filter(|e| secretish(&e.value)) {
        if let Some(y) = b.entries.iter().find(|e| e.value == x.value) {
            out.push(EnvIssue::Shared { name: x.name.clone(), other: y.name.clone() });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_lines_are_read_like_dotenv_tools_do() {
        let f = EnvFile::parse("# comment\nexport A=1\nB=\"two words\" \nC='x#y'\nD=plain # note\nnot a line\nE=\n");
        let got: Vec<(&str, &str)> = f.entries.iter().map(|e| (e.name.as_str(), e.value.as_str())).collect();
        assert_eq!(got, [("A", "1"), ("B", "two words"), ("C", "x#y"), ("D", "plain"), ("E", "")]);
        assert_eq!(f.unreadable, [6]);
    }

    #[test]
    fn missing_empty_local_and_shared_are_each_named_without_the_value() {
        let example: Vec<String> = ["OPENAI_API_KEY", "DATABASE_URL", "STRIPE_SECRET_KEY", "SITE_URL"].map(String::from).to_vec();
        let prod = EnvFile::parse(
            "OPENAI_API_KEY=kD8fP2qL9xZ3mN7vB4cR1tY6\nDATABASE_URL=postgres://u:p@localhost:5432/db\nSTRIPE_SECRET_KEY=your-key-here\n",
        );
        let staging = EnvFile::parse("OPENAI_KEY=kD8fP2qL9xZ3mN7vB4cR1tY6\nNODE_ENV=production\n");
        let issues = check(&example, &prod, true);
        assert_eq!(
            issues,
            [
                EnvIssue::Empty { name: "STRIPE_SECRET_KEY".into(), line: 3 },
                EnvIssue::Missing { name: "SITE_URL".into() },
                EnvIssue::Localhost { name: "DATABASE_URL".into(), line: 2 },
            ]
        );
        let both = shared(&prod, &staging);
        assert!(matches!(&both[..], [EnvIssue::Shared { name, other, .. }] if name == "OPENAI_API_KEY" && other == "OPENAI_KEY"));
        assert!(!format!("{both:?}").contains("kD8fP2qL9xZ3"), "a shared secret is told by name only");
    }
}
