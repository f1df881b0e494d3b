//! The hosting platforms a product's names point at, read from `data/platforms.toml`.
//!
//! Kept as data because platforms come and go faster than the checks that use them: the takeover
//! check names the platform behind a dangling alias and recognises its "nothing deployed here"
//! page, and the redirect checks recognise a platform's own address (`acme.vercel.app`) used as
//! the public one. The file is compiled in and parsed once; a test proves it parses and that every
//! entry is usable, so a bad edit fails the build's tests rather than a founder's audit.

use serde::Deserialize;
use std::sync::OnceLock;

/// One platform.
#[derive(Debug, Clone, Deserialize)]
pub struct Platform {
    pub name: String,
    /// CNAME target suffixes the platform gives out for custom domains.
    pub suffixes: Vec<String>,
    /// The platform's own addresses for a project.
    pub own: Vec<String>,
    /// Text only the platform's "nothing deployed here" page contains.
    pub not_found: Vec<String>,
    /// Whether anyone can claim a vacant name there without proving domain ownership.
    pub claimable: bool,
    /// A CNAME target the platform gives out (checked by the tests).
    #[serde(default)]
    pub example_target: String,
    /// The platform's "nothing here" page as served, when it has words (checked by the tests).
    #[serde(default)]
    pub example_page: Option<String>,
    /// A page with the same kind of words that must match no platform (checked by the tests).
    #[serde(default)]
    pub near_miss: String,
}

#[derive(Deserialize)]
struct File {
    platform: Vec<Platform>,
}

const DATA: &str = include_str!("../data/platforms.toml");

/// Every platform (empty only if the bundled file were broken, which the tests rule out).
pub fn all() -> &'static [Platform] {
    static PLATFORMS: OnceLock<Vec<Platform>> = OnceLock::new();
    PLATFORMS.get_or_init(|| toml::from_str::<File>(DATA).map(|f| f.platform).unwrap_or_default())
}

/// Whether `name` is `suffix` or ends in `.suffix`.
fn under(name: &str, suffix: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == suffix || name.strip_suffix(suffix).is_some_and(|rest| rest.ends_with('.'))
}

/// The platform a CNAME target belongs to.
pub fn by_target(target: &str) -> Option<&'static Platform> {
    all().iter().find(|p| p.suffixes.iter().any(|s| under(target, s)))
}

/// The platform whose own address `host` is (`acme.vercel.app`).
pub fn by_own_address(host: &str) -> Option<&'static Platform> {
    all().iter().find(|p| p.own.iter().any(|s| under(host, s)))
}

/// The platform whose "nothing deployed here" page `body` is, and the text that gave it away. The
/// words must stand as words in the page ("no such app" is not in "no such application").
pub fn by_not_found_page(body: &str) -> Option<(&'static Platform, &'static str)> {
    let text = words(body);
    all().iter().find_map(|p| p.not_found.iter().find(|m| has_words(&text, &words(m))).map(|m| (p, m.as_str())))
}

/// Whether `phrase` occurs in `text` with no letter or digit glued to either end.
fn has_words(text: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    let glued = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        let starts_word = phrase.chars().next().is_some_and(char::is_alphanumeric);
        let ends_word = phrase.chars().next_back().is_some_and(char::is_alphanumeric);
        let glued_start = starts_word && glued(before);
        let glued_end = ends_word && glued(after);
        !glued_start && !glued_end
    })
}

/// `html` as words: tags become spaces, the usual entities their characters, case and runs of
/// white space folded (so "<title>Heroku | No  such app</title>" holds "no such app").
fn words(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            _ => out.push(c),
        }
    }
    let out = entities(&out).replace(['’', '‘'], "'");
    out.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The character references a "nothing here" page uses, decoded: numeric ones (`&#8217;`,
/// `&#x27;`) and the usual named ones; anything else is left as it is.
fn entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let name = &tail[1..e];
            let c = match name {
                "amp" => Some('&'),
                "apos" | "rsquo" | "lsquo" => Some('\''),
                "quot" | "ldquo" | "rdquo" => Some('"'),
                "nbsp" => Some(' '),
                "ndash" => Some('–'),
                "mdash" => Some('—'),
                "hellip" => Some('…'),
                "middot" => Some('·'),
                n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32),
                n if n.starts_with('#') => n[1..].parse::<u32>().ok().and_then(char::from_u32),
                _ => None,
            }?;
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_file_parses_and_every_entry_is_usable() {
        let file: File = toml::from_str(DATA).expect("data/platforms.toml parses");
        assert!(file.platform.len() >= 70, "the services a takeover can really happen on are all there");
        for p in &file.platform {
            assert!(!p.suffixes.is_empty(), "{} has suffixes", p.name);
            for s in p.suffixes.iter().chain(&p.own) {
                assert!(s == &s.to_ascii_lowercase() && !s.starts_with('.') && s.contains('.'), "{}: {s}", p.name);
            }
            for m in &p.not_found {
                assert!(
                    m.split_whitespace().count() >= 3 || m.len() >= 12,
                    "{}: \"{m}\" is too generic to recognise a platform page by",
                    p.name
                );
            }
        }
        for name in [
            "Heroku",
            "Vercel",
            "Netlify",
            "GitHub Pages",
            "Amazon S3",
            "Microsoft Azure",
            "Fly.io",
            "Render",
            "Shopify",
            "Ghost",
            "Webflow",
            "Zendesk",
        ] {
            assert!(file.platform.iter().any(|p| p.name == name), "{name} is listed");
        }
    }

    #[test]
    fn every_entry_recognises_its_example_and_nothing_recognises_a_near_miss() {
        let mut names = std::collections::HashSet::new();
        for p in all() {
            assert!(names.insert(p.name.as_str()), "{} is listed twice", p.name);
            assert_eq!(by_target(&p.example_target).map(|f| f.name.as_str()), Some(p.name.as_str()), "{}: {}", p.name, p.example_target);
            match (&p.example_page, p.not_found.is_empty()) {
                (Some(page), false) => {
                    let found = by_not_found_page(page).map(|(f, _)| f.name.as_str());
                    assert_eq!(found, Some(p.name.as_str()), "{}'s own page is recognised as its own", p.name);
                }
                (None, true) => {}
                (Some(_), true) => panic!("{} has an example page but no words to recognise it by", p.name),
                (None, false) => panic!("{} has words but no example page to prove them", p.name),
            }
            assert!(!p.near_miss.is_empty(), "{} has a near miss", p.name);
            assert_eq!(by_not_found_page(&p.near_miss).map(|(f, m)| (f.name.as_str(), m)), None, "{}'s near miss matches nothing", p.name);
        }
    }

    #[test]
    fn words_match_whole_words_only() {
        assert!(has_words("heroku | no such app there's nothing", "no such app"));
        assert!(!has_words("no such application", "no such app"));
        assert!(!has_words("xno such app", "no such app"));
        assert!(has_words("error: err_ngrok_3200.", "err_ngrok_3200"));
        assert!(has_words("fastly error: unknown domain: www.acme.com", "fastly error: unknown domain"));
    }

    #[test]
    fn names_are_matched_on_whole_labels() {
        assert_eq!(by_target("acme-123.herokudns.com.").map(|p| p.name.as_str()), Some("Heroku"));
        assert_eq!(by_target("cname.vercel-dns.com").map(|p| p.name.as_str()), Some("Vercel"));
        assert!(by_target("notherokuapp.com").is_none(), "a suffix matches whole labels only");
        assert_eq!(by_own_address("acme.up.railway.app").map(|p| p.name.as_str()), Some("Railway"));
        assert!(by_own_address("acme.com").is_none());
        assert_eq!(by_not_found_page("<p>There isn't a GitHub Pages site here.</p>").map(|(p, _)| p.name.as_str()), Some("GitHub Pages"));
        let heroku = "<html><head><title>Heroku | No such app</title></head><body><h1>There&#39;s nothing here,\n yet.</h1></body></html>";
        assert_eq!(by_not_found_page(heroku).map(|(p, _)| p.name.as_str()), Some("Heroku"), "Heroku's real page, by its words");
        assert!(
            by_not_found_page("<h1>Page not found</h1><p>No such page in our app</p>").is_none(),
            "a product's own 404 is not a platform's"
        );
        assert!(by_not_found_page("<h1>404 Not Found</h1>").is_none(), "a generic 404 is no platform's");
    }
}
