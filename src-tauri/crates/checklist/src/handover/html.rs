//! The handover as one self-contained HTML page, laid out for paper: the app shows it and prints it
//! to PDF, and it opens in any browser. No script, no outside file: every style is inline, so the
//! page looks the same in ten years.

use super::{Block, Handover};

/// Text made safe to place in HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1c2330;max-width:48rem;margin:2rem auto;padding:0 1rem}\
h1{font-size:1.6rem;margin-bottom:0}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d5dae1;padding-bottom:.2rem;break-after:avoid}\
.meta{color:#5b6573;margin-top:.2rem}table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.9rem}\
th,td{border:1px solid #d5dae1;padding:.3rem .45rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#f2f4f7}\
tr{break-inside:avoid}blockquote{margin:.4rem 0;padding:.3rem .8rem;border-left:3px solid #5b8def;background:#f5f8ff;white-space:pre-wrap}\
.label{font-weight:600;margin:.6rem 0 .2rem}@media print{body{margin:0;max-width:none}a{color:inherit}}";

/// The document as a printable HTML page.
pub fn render(doc: &Handover) -> String {
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>{STYLE}</style></head><body>\n<h1>{t}</h1>\n<p class=\"meta\">Exported by Preflight on {g}.</p>\n",
        t = esc(&doc.title),
        g = esc(&doc.generated)
    );
    for s in &doc.sections {
        out.push_str(&format!("<section id=\"{}\">\n<h2>{}</h2>\n", esc(&s.id), esc(&s.title)));
        for b in &s.blocks {
            match b {
                Block::Text { text } => out.push_str(&format!("<p>{}</p>\n", esc(text))),
                Block::Bullets { items } => {
                    out.push_str("<ul>\n");
                    for i in items {
                        out.push_str(&format!("<li>{}</li>\n", esc(i)));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Table { rows, .. } if rows.is_empty() => out.push_str("<p><em>None.</em></p>\n"),
                Block::Table { head, rows } => {
                    out.push_str("<table><thead><tr>");
                    for h in head {
                        out.push_str(&format!("<th>{}</th>", esc(h)));
                    }
                    out.push_str("</tr></thead><tbody>\n");
                    for r in rows {
                        out.push_str("<tr>");
                        for c in r {
                            out.push_str(&format!("<td>{}</td>", esc(c)));
                        }
                        out.push_str("</tr>\n");
                    }
                    out.push_str("</tbody></table>\n");
                }
                Block::Note { label, text, at } => out.push_str(&format!(
                    "<p class=\"label\">{} <span class=\"meta\">(written {})</span></p><blockquote>{}</blockquote>\n",
                    esc(label),
                    esc(at),
                    esc(text)
                )),
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_become_markup() {
        assert_eq!(esc("<script>alert('x')</script> & \"q\""), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    }
}
