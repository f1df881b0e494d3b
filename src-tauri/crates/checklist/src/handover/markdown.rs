//! The handover as Markdown: readable as plain text, and rendered well by GitHub, Notion or any
//! editor a team keeps its documents in.

use super::{Block, Handover};

/// A table cell: pipes and line breaks would break the row.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The document as Markdown.
pub fn render(doc: &Handover) -> String {
    let mut out = format!("# {}\n\n_Exported by Preflight on {}._\n", doc.title, doc.generated);
    for s in &doc.sections {
        out.push_str(&format!("\n## {}\n", s.title));
        for b in &s.blocks {
            out.push('\n');
            match b {
                Block::Text { text } => out.push_str(&format!("{text}\n")),
                Block::Bullets { items } => {
                    for i in items {
                        out.push_str(&format!("- {}\n", i.replace('\n', "\n  ")));
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
                    out.push_str(&format!("**{label}** (written {at}):\n\n"));
                    for line in text.lines() {
                        out.push_str(&format!("> {line}\n"));
                    }
                }
            }
        }
    }
    out
}
