//! A small, forgiving reader of the tags in an HTML page: enough to list what a page loads.
//!
//! The header grade needs the page's scripts (Subresource Integrity), the mixed-content check every
//! `http://` sub-resource, the caching check the page's own hashed assets and "two versions live"
//! a fingerprint of the build. None of them needs a DOM, and a full HTML5 parser is a heavy
//! dependency for reading start tags, so this walks the text once: comments and the insides of
//! `<script>`/`<style>` are skipped (a `"<img src=http://…>"` string in a script is not a tag), and
//! anything malformed is passed over rather than refused. The input is already bounded by the
//! HTTP body limit, and every loop advances, so a hostile page costs one linear pass.

/// One start tag: its lower-case name and attributes (names lower-case, values unquoted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
}

impl Tag {
    /// The value of an attribute (`""` for a bare one like `async`).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// How a sub-resource is used, which decides what a browser does when it comes over plain http.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Use {
    /// Scripts, styles, frames, objects: a browser blocks them on an HTTPS page, so the page breaks.
    Active,
    /// Images, audio, video: shown (or silently upgraded) but with a warning in the address bar.
    Passive,
}

/// A resource the page loads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Resource {
    pub tag: String,
    pub url: String,
    pub used: Use,
    /// For scripts and styles: whether an `integrity` attribute pins the file's hash.
    pub integrity: bool,
}

/// Every start tag of `html`, in order.
pub fn tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off;
        if html[i..].starts_with("<!--") {
            i = html[i + 4..].find("-->").map_or(html.len(), |e| i + 4 + e + 3);
            continue;
        }
        let name_len = html[i + 1..].bytes().take_while(|b| b.is_ascii_alphanumeric()).count();
        if name_len == 0 || !bytes[i + 1].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let name = html[i + 1..i + 1 + name_len].to_ascii_lowercase();
        let (attrs, end) = attributes(html, i + 1 + name_len);
        i = end;
        if name == "script" || name == "style" {
            // Raw text: skip to the closing tag without reading what is inside as markup.
            let close = format!("</{name}");
            i = find_ci(&html[i..], &close).map_or(html.len(), |e| i + e);
        }
        out.push(Tag { name, attrs });
    }
    out
}

/// Reads attributes from `start` up to the tag's `>`; returns them and the index after the tag.
fn attributes(html: &str, start: usize) -> (Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut attrs = Vec::new();
    let mut i = start;
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (attrs, b.len());
        }
        if b[i] == b'>' {
            return (attrs, i + 1);
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let quote = b[i];
                let end = html[i + 1..].bytes().position(|c| c == quote).map_or(b.len(), |e| i + 1 + e);
                value = html[i + 1..end].to_owned();
                i = (end + 1).min(b.len());
            } else {
                let v_start = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = html[v_start..i].to_owned();
            }
        }
        if !name.is_empty() {
            attrs.push((name, decode_entities(value.trim())));
        }
    }
}

/// The few entities that appear in URLs (`&amp;` in a query string).
fn decode_entities(v: &str) -> String {
    if !v.contains('&') {
        return v.to_owned();
    }
    v.replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    haystack.as_bytes().windows(n).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The resources a page loads, as written in the page (relative URLs stay relative).
pub fn resources(tags: &[Tag]) -> Vec<Resource> {
    let mut out = Vec::new();
    for t in tags {
        let (attr, used) = match t.name.as_str() {
            "script" => ("src", Use::Active),
            "iframe" | "frame" | "embed" => ("src", Use::Active),
            "object" => ("data", Use::Active),
            "link" if is_stylesheet_or_script(t) => ("href", Use::Active),
            "img" | "audio" | "video" | "source" | "track" => ("src", Use::Passive),
            _ => continue,
        };
        if let Some(url) = t.attr(attr).filter(|u| !u.is_empty()) {
            out.push(Resource {
                tag: t.name.clone(),
                url: url.to_owned(),
                used,
                integrity: t.attr("integrity").is_some_and(|v| !v.is_empty()),
            });
        }
    }
    out
}

fn is_stylesheet_or_script(t: &Tag) -> bool {
    t.attr("rel").is_some_and(|rel| {
        rel.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("stylesheet") || r.eq_ignore_ascii_case("modulepreload"))
    })
}

/// The `<meta name="generator">` content, if any ("Next.js", "WordPress 6.4").
pub fn generator(tags: &[Tag]) -> Option<String> {
    tags.iter()
        .find(|t| t.name == "meta" && t.attr("name").is_some_and(|n| n.eq_ignore_ascii_case("generator")))
        .and_then(|t| t.attr("content"))
        .map(str::to_owned)
}

/// Whether a file name carries a content hash (`app.3f9a2c1b.js`, `index-BxY7zQ1a.css`,
/// `/_next/static/chunks/4f1e0b6c9d2a.js`): such files never change under the same name, so they
/// can be cached for a year.
pub fn is_hashed_asset(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let file = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, ext)) = file.rsplit_once('.') else { return false };
    if !matches!(
        ext.to_ascii_lowercase().as_str(),
        "js" | "mjs" | "css" | "woff2" | "woff" | "png" | "jpg" | "jpeg" | "webp" | "avif" | "svg"
    ) {
        return false;
    }
    // The first part is the file's name (`index`, `main`) unless it is a bare chunk hash.
    let mut parts = stem.split(['.', '-', '_']);
    parts.next().is_some_and(is_hex_hash) || parts.any(|p| is_hex_hash(p) || is_base64_hash(p))
}

/// Eight or more hex digits, at least one a digit (webpack, esbuild, Next.js chunks).
fn is_hex_hash(s: &str) -> bool {
    s.len() >= 8 && s.bytes().all(|b| b.is_ascii_hexdigit()) && s.bytes().any(|b| b.is_ascii_digit())
}

/// A short base64url digest (Vite, Rollup): mixed case with a digit, so `SemiBold` is not one.
fn is_base64_hash(s: &str) -> bool {
    (8..=32).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric())
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes().any(|b| b.is_ascii_uppercase())
        && s.bytes().any(|b| b.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_tags_are_read_with_their_attributes() {
        let t = tags(
            r#"<!doctype html><HTML lang=en><script src="/a.js" integrity="sha384-x" async></script><img src='http://x.example/p.png'>"#,
        );
        let names: Vec<&str> = t.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["html", "script", "img"], "the doctype is not a tag");
        assert_eq!(t[1].attr("src"), Some("/a.js"));
        assert_eq!(t[1].attr("async"), Some(""));
        assert_eq!(t[2].attr("src"), Some("http://x.example/p.png"));
    }

    #[test]
    fn comments_and_script_bodies_are_not_markup() {
        let t = tags(r#"<!-- <img src="http://a.example/x.png"> --><script>var s = "<img src='http://b.example/y.png'>";</SCRIPT><p>"#);
        let names: Vec<&str> = t.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["script", "p"]);
    }

    #[test]
    fn malformed_markup_ends_without_panicking() {
        for junk in ["<", "<a", "<a href=", "<a href=\"x", "<<<>>>", "<!--", "<script>", "< img>", "<a =x>", "<é src=x>"] {
            let _ = resources(&tags(junk));
        }
        let big = "<a x=".repeat(100_000);
        assert_eq!(tags(&big).len(), 1, "one unterminated tag swallows the rest, in linear time");
    }

    #[test]
    fn resources_are_classified_active_or_passive() {
        let t = tags(
            r#"<link rel="stylesheet" href="/s.css"><link rel="icon" href="/f.ico"><img src="/i.png"><iframe src="https://y.example/"></iframe><script>inline()</script>"#,
        );
        let r = resources(&t);
        let got: Vec<(&str, Use)> = r.iter().map(|r| (r.url.as_str(), r.used)).collect();
        assert_eq!(got, [("/s.css", Use::Active), ("/i.png", Use::Passive), ("https://y.example/", Use::Active)]);
    }

    #[test]
    fn hashed_asset_names_are_recognised() {
        for yes in
            ["/assets/index-BxY7zQ1a.js", "/static/app.3f9a2c1b.css", "/_next/static/chunks/4f1e0b6c9d2a8e7f.js", "/a/main.0123abcd.js?v=1"]
        {
            assert!(is_hashed_asset(yes), "{yes}");
        }
        for no in [
            "/app.js",
            "/styles/main.css",
            "/assets/logo.png",
            "/index.html",
            "/assets/vendor-react.js",
            "/fonts/OpenSans-SemiBold.woff2",
            "/img/MyLogo2024.png",
        ] {
            assert!(!is_hashed_asset(no), "{no}");
        }
    }

    #[test]
    fn the_generator_meta_is_read() {
        assert_eq!(generator(&tags(r#"<meta name="Generator" content="Next.js">"#)).as_deref(), Some("Next.js"));
        assert_eq!(generator(&tags("<meta charset=utf-8>")), None);
    }
}
