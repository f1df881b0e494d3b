//! The handover as Markdown: readable as plain text, and rendered well by GitHub, Notion or any
//! editor a team keeps its documents in.

use super::{Block, Handover};

/// `s` as literal Markdown text: what a DNS record, a `Location` header, a page title or a note
/// holds must not become a link, an image, HTML, a heading or emphasis in the document (a TXT
/// record is anyone's to write, and some viewers render inline HTML).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let body = line.trim_start();
        out.push_str(&line[..line.len() - body.len()]);
        // A line that would open a heading, a quote, a list or a numbered list stays text.
        let first = body.chars().next();
        if matches!(first, Some('#' | '>' | '-' | '+' | '='))
            || body.split_once(". ").is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        {
            out.push('\\');
        }
        for c in body.chars() {
            if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '!' | '|' | '~' | '&') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// A table cell: escaped, and on one line (a line break would end the row).
fn cell(s: &str) -> String {
    escape(&s.replace(['\n', '\r'], " "))
}

/// The document as Markdown.
pub fn render(doc: &Handover) -> String {
    let mut out = format!("# {}\n\n_Exported by Preflight on {}._\n", escape(&doc.title), escape(&doc.generated));
    for s in &doc.sections {
        out.push_str(&format!("\n## {}\n", escape(&s.title)));
        for b in &s.blocks {
            out.push('\n');
            match b {
                Block::Text { text } => out.push_str(&format!("{}\n", escape(text))),
                Block::Bullets { items } => {
                    for i in items {
                        out.push_str(&format!("- {}\n", escape(i).replace('\n', "\n  ")));
                    }
                }
                Block::Table { head, rows } => {
                    if rows.is_empty() {
                        out.push_str("_None._\n");
                        continue;
                    }
                    out.push_str(&format!("| {} |\n", head.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | ")));
                    out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                    for r in rows {
                        out.push_str(&format!("| {} |\n", r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")));
                    }
                }
                Block::Note { label, text, at } => {
                    out.push_str(&format!("**{}** (written {}):\n\n", escape(label), escape(at)));
                    for line in text.lines() {
                        out.push_str(&format!("> {}\n", escape(line)));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn what_others_wrote_stays_text_in_the_document() {
        let txt = "v=spf1 [click](https://evil.example) <img src=x onerror=alert(1)> **bold** `code`";
        let out = escape(txt);
        assert!(out.contains("\\[click\\](") && out.contains("\\<img") && out.contains("\\*\\*bold"), "every opener is escaped: {out}");
        assert!(!out.replace("\\<", "").contains('<') && !out.replace("\\[", "").contains('['), "no bare opener is left: {out}");
        assert_eq!(escape("# not a heading"), "\\# not a heading");
        assert_eq!(escape("1. not a list"), "1. not a list".replacen("1", "\\1", 1));
        assert_eq!(escape("acme.test"), "acme.test", "ordinary names stay as they are");
    }
}
